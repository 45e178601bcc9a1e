"""The model card's "Public datasets" section, rendered from ``fixtures/public-eval.json``.

The figures are computed by ``python -m classifiers.public_eval`` where ``../shared/datasets`` is
present and committed as numbers only, so the card can be regenerated without the datasets. The
reading notes below were written from those figures for one model version; the section says so
when the figures or the notes describe another model than the one the card is for.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from classifiers.public_eval import FIGURES_PATH

#: Figures where lower is better (a false-positive rate); for the rest higher is better.
LOWER_IS_BETTER = frozenset({"fpr", "war_only_rate"})

NOTES_VERSION = "conflict-sparse-339c1e24752f"
NOTES = [
    "Where the dictionary does better, and how the model fails there (patterns paraphrased from",
    "reading the disagreements, no dataset text quoted):",
    "",
    "- **FrAC security & defense -> military-operations or escalation-risk** (F1 lower, interval",
    "  excluding zero): MFC's security frame covers terrorism at home, threats to a country's own",
    "  soil and defence procurement wish-lists in reader comments; the model gives both war frames",
    "  near-zero scores on such sentences (a sentence listing the ships and planes a country needs",
    "  scores just under the cut), while the dictionary's threat and attack indicators catch them.",
    "  Part scope (our frames are about a war), part a miss on capability language outside a war.",
    "- **GVFC politics/public opinion -> domestic-politics** (F1 and recall lower; false-positive",
    "  rate lower, precision about the same): headlines that carry politics only through who acts (a",
    "  governor's campaign dropping a promotion, a senator confronted at a rally, a party's",
    "  congresswoman blaming a cause) score near zero: the corpus teaches domestic politics as the",
    "  politics of a war (aid votes, coalitions, mobilisation), so politicians and campaign events",
    "  in another domain are not recognised.",
    "  Its false positives are crime-report headlines (police or FBI findings about a shooter).",
    "- **GVFC economic-cost false-positive rate** (precision within noise): the model marks money",
    "  stories the coders filed under politics or gun control (lobby spending, an official's shares",
    "  in a gun maker, funds for school guns) as economic-cost; by our codebook several are.",
    "- **GVFC public/school safety -> humanitarian-impact** (loose mapping; F1 lower because the",
    "  dictionary fires on a quarter of all headlines and so recalls more): the model reads a",
    "  shooting headline as humanitarian only with victims or injuries in it, not school-security",
    "  measures or prevented attacks. Precision is about the same for both.",
    "- **Climate EC -> economic-cost** (off-domain precision check; precision, false-positive rate,",
    "  F1 and AUC all worse): pipeline approvals, gas exports, climate-summit bargaining and",
    "  Green-New-Deal politics are read as economic-cost. Our codebook counts energy supplies and",
    "  markets as economic-cost and the climate coders' economic frame is narrower (costs and",
    "  financial consequences), so part of this is the mapping; but a long policy article with a",
    "  few money or energy sentences clears the article head's cut, and the dictionary's",
    "  two-match rule is stricter there.",
    "- **ukraine_news_bias stance**: both are poor and the difference is inside the noise (17",
    "  sided articles). The model calls `against` on reports that use the separatists' own names for",
    "  their forces, and `favor` on some transcripts of Russian officials; the crowd marked several",
    "  matter-of-fact reports (sanctions, NATO deployments, a country suspending cooperation) as",
    "  sided, which no own-voice reading recovers. Respelling changes no label of either system.",
    "",
    "Read across rows: on single sentences and headlines the model's frame score ranks items better",
    "than the dictionary's matches on every direct row (AUC), including the rows where its F1 is",
    "lower; there it loses at the presence cut, which the article head learned on whole articles",
    "(one sentence is weak evidence there), so recall on one-sentence input is low. On long",
    "off-domain articles the opposite holds: economic-cost clears the cut too easily.",
    "",
    "Where the model does better: one-sentence and headline inputs rank far better by frame score",
    "(AUC higher on every direct FrAC and GVFC row), economic-cost on sentences and headlines,",
    "humanitarian-impact on climate articles, and on both off-domain sets the model fires a",
    "war-only frame on fewer items. FrAC and climate macro-F1 are tied; GVFC's is within noise.",
]


def load_public_figures(path: Path = FIGURES_PATH) -> dict[str, Any] | None:
    """The committed figures, or None when the file does not exist."""
    return json.loads(path.read_text()) if path.is_file() else None


def _f(x: float | None) -> str:
    return "-" if x is None or x != x else f"{x:.3f}"


def _diff(d: Mapping[str, float], what: str) -> str:
    """``+0.123 [+0.045, +0.201]`` and who wins when the interval excludes zero."""
    better = -1 if what in LOWER_IS_BETTER else 1
    verdict = ""
    if d["low"] * better > 0 and d["high"] * better > 0:
        verdict = " model"
    elif d["low"] * better < 0 and d["high"] * better < 0:
        verdict = " **dictionary**"
    return f"{d['estimate']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}]{verdict}"


def _pair(fig: Mapping, what: str) -> str:
    return f"{_f(fig['model'][what])} / {_f(fig['dictionary'][what])}"


def frame_table(datasets: Mapping[str, Any]) -> list[str]:
    out = [
        "| dataset | frame <- their code (fit) | n | positives | precision | recall | F1 | FPR | AUC"
        " | F1 difference [95 %] | AUC difference [95 %] |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for name, d in datasets.items():
        for r in d.get("rows", []):
            out.append(
                f"| {name} | {r['frame']} <- {r['source']} ({r['fit']}) | {d['n']} | {r['positives']} | "
                + " | ".join(_pair(r, w) for w in ("precision", "recall", "f1", "fpr", "auc"))
                + f" | {_diff(r['difference']['f1'], 'f1')} | {_diff(r['difference']['auc'], 'auc')} |"
            )
        if "macro_f1" in d:
            m = d["macro_f1"]
            out.append(
                f"| {name} | **macro-F1** over the rows above | {d['n']} | | | | "
                f"{_f(m['model'])} / {_f(m['dictionary'])} | | | {_diff(m['difference'], 'f1')} | |"
            )
    return out


def precision_table(datasets: Mapping[str, Any]) -> list[str]:
    out = [
        "| dataset | figure | model / dictionary | difference [95 %] |",
        "| --- | --- | ---: | --- |",
    ]
    for name, d in datasets.items():
        if not d.get("precision_check"):
            continue
        for r in d["rows"]:
            for w in ("precision", "fpr"):
                out.append(f"| {name} | {r['frame']} {w} | {_pair(r, w)} | {_diff(r['difference'][w], w)} |")
        w = d["war_only_rate"]
        out.append(
            f"| {name} | share with a war-only frame | {_f(w['model'])} / {_f(w['dictionary'])} | "
            f"{_diff(w['difference'], 'war_only_rate')} |"
        )
    return out


def stance_lines(datasets: Mapping[str, Any]) -> list[str]:
    out = []
    for name, d in datasets.items():
        if "stance" not in d:
            continue
        s, rs = d["stance"], d["respelling"]
        labels = ", ".join(f"{k} {v}" for k, v in s["labels"].items())
        per = "; ".join(f"{c} {_f(s['model'][c])} / {_f(s['dictionary'][c])}" for c in s["labels"])
        out += [
            f"- **{name}** ({d['unit']}; {d['n']} articles with a clear side: {labels}): stance macro-F1",
            f"  {_f(s['model']['macro_f1'])} / {_f(s['dictionary']['macro_f1'])}, difference"
            f" {_diff(s['difference'], 'f1')}; per class {per}.",
            f"  Respelling place names ({rs['directions']}, {rs['n']} article runs): labels changed"
            f" {rs['model']} (model) / {rs['dictionary']} (dictionary).",
        ]
    return out


def _differences(datasets: Mapping[str, Any]):
    """Every (figure name, difference) in the figures, for the tally."""
    for d in datasets.values():
        for r in d.get("rows", []):
            yield from r["difference"].items()
        if "macro_f1" in d:
            yield "f1", d["macro_f1"]["difference"]
        if "war_only_rate" in d:
            yield "war_only_rate", d["war_only_rate"]["difference"]
        if "stance" in d:
            yield "f1", d["stance"]["difference"]


def tally(datasets: Mapping[str, Any]) -> dict[str, int]:
    """How many differences favour the model, the dictionary, or neither (interval spans zero)."""
    out = {"model": 0, "dictionary": 0, "neither": 0}
    for what, d in _differences(datasets):
        sign = -1 if what in LOWER_IS_BETTER else 1
        key = "model" if d["low"] * sign > 0 and d["high"] * sign > 0 else "neither"
        key = "dictionary" if d["low"] * sign < 0 and d["high"] * sign < 0 else key
        out[key] += 1
    return out


def public_section(figures: Mapping[str, Any] | None, model_version: str) -> list[str]:
    """The card's Markdown lines for the public-dataset checks (see the module docstring)."""
    out = ["## Public datasets (not written by us)", ""]
    if figures is None:
        return out + ["No figures: run `python -m classifiers.public_eval` with `../shared/datasets`.", ""]
    ds = figures["datasets"]
    b = figures["bootstrap"]
    status = "; ".join(f"{n} {_f(d['status_ok']['model'])}" for n, d in ds.items())
    out += [
        "Public annotated datasets in `../shared/datasets`, read in place; the labels are mapped to our",
        "keys as each dataset's README suggests, narrowed to what holds up against our codebook",
        "(`classifiers/public_datasets.py`; *direct* = a counterpart frame, *loose* = a neighbouring",
        "one). The model and the keyword dictionary (same codebook, `min_hits` chosen on our corpus:",
        f"`{json.dumps(figures['dictionary_min_hits'])}`) label the same items. Each cell: model /",
        "dictionary. AUC ranks items by the frame score (model: the article probability `score`;",
        "dictionary: its indicator matches). Differences are model - dictionary with a paired",
        f"bootstrap 95 % interval over items ({b['n_resamples']} resamples, seed {b['random_state']});",
        "the winner is named when the interval excludes zero. FrAC items are single sentences and GVFC",
        "items single headlines: their rows are the one-sentence check. Figures: `fixtures/public-eval.json`",
        f"(`{figures['command']}`), model `{figures['model_version']}`.",
        "",
    ]
    if figures["model_version"] != model_version:
        out += [f"**These figures are for `{figures['model_version']}`, not for `{model_version}`.**", ""]
    t = tally(ds)
    out += [
        f"Of the {sum(t.values())} model - dictionary differences below, {t['model']} favour the model,"
        f" {t['dictionary']} the dictionary and {t['neither']} are within noise.",
        "",
        *frame_table(ds),
        "",
        "Off-domain sets (GVFC: US gun-violence headlines; climate: full climate articles) are mainly",
        "precision checks: the war-only frames (escalation-risk, support-commitment,",
        "military-operations) have no business there, and a mapped frame that fires on negatives",
        "(false-positive rate) is the failure a user of outlet comparisons would see.",
        "",
        *precision_table(ds),
        "",
        *stance_lines(ds),
        f"- Status `ok` (text read as English and classified): {status}.",
        "- Their labels left out: " + "; ".join(f"{n}: {d['left_out']}" for n, d in ds.items()) + ".",
        "- Not mapped: " + "; ".join(f"**{k}** ({v})" for k, v in figures["not_mapped"].items()) + ".",
        "",
    ]
    if figures["model_version"] != NOTES_VERSION:
        return out + [f"(Reading notes were written for `{NOTES_VERSION}` and are left out.)", ""]
    return out + NOTES + [""]
