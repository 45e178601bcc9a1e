"""Real-article scores by half of the fixed event split: tune, test, other conflicts, calibration.

usage: python -m classifiers.dev_eval [--test] [--cache-dir instance/models] [--eval-dir ../shared/eval]

Without ``--test`` only the tune half (and its Russia–Ukraine and other-conflict parts) is
scored: that is what modelling choices may look at. ``--test`` adds the test half, to be run once
per final candidate (see ``classifiers.eval_split``). Each subset reports the model and the
keyword-dictionary baseline with the evaluation set's arithmetic (``classifiers.scoring``), and the
model's calibration: Brier score per frame of the article-level frame probability (``score`` of
each frame) and reliability bins (mean predicted probability against observed frequency).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from classifiers.codebook import load_codebook
from classifiers.corpus import load_corpus
from classifiers.eval_split import load_split, subsets
from classifiers.evaluate import fit_dictionary
from classifiers.reliability_curves import reliability_bins
from classifiers.scoring import EVAL_DIR, read_jsonl, score

REPO = Path(__file__).resolve().parents[1]
N_BINS = 5


def model_predictions(model, articles: Sequence[Mapping]) -> list[dict]:
    """Labels plus the per-frame article probability (``score``) for calibration."""
    results = model.classify_many([(a.get("title", ""), a.get("text", ""), None) for a in articles])
    return [
        {
            "id": a["id"],
            "frames": r.present_frames,
            "dominant": r.dominant_frame,
            "stance": r.stance.label,
            "frame_scores": {f.key: f.score for f in r.frames},
        }
        for a, r in zip(articles, results, strict=True)
    ]


def dictionary_predictions(codebook, articles: Sequence[Mapping]) -> list[dict]:
    base = fit_dictionary(codebook, load_corpus(codebook))
    preds = base.predict([(a.get("title", ""), a.get("text", "")) for a in articles])
    return [{"id": a["id"], **p} for a, p in zip(articles, preds, strict=True)]


def calibration(
    preds: Sequence[Mapping], gold: Sequence[Mapping], frames: Sequence[str], n_bins: int = N_BINS
) -> dict:
    """Brier score per frame and reliability bins (equal-width on [0, 1]) over all frames pooled.

    Notes
    -----
    The Brier score is the mean squared difference between the article-level probability and
    the 0/1 gold presence; a constant predictor at the frame's base rate p scores p(1 - p).
    Bins with few articles are noisy: each carries its count.
    """
    by_id = {p["id"]: p for p in preds}
    out: dict = {"brier": {}, "base_rate_brier": {}, "bins": []}
    all_p, all_y = [], []
    for f in frames:
        y = np.asarray([f in g["frames"] for g in gold], float)
        p = np.asarray([by_id[g["id"]].get("frame_scores", {}).get(f, 0.0) for g in gold], float)
        out["brier"][f] = float(np.mean((p - y) ** 2)) if len(y) else 0.0
        out["base_rate_brier"][f] = float(y.mean() * (1 - y.mean())) if len(y) else 0.0
        all_p.append(p)
        all_y.append(y)
    p, y = np.concatenate(all_p), np.concatenate(all_y)
    out["mean_brier"] = float(np.mean(list(out["brier"].values())))
    out["bins"] = reliability_bins(p, y, n_bins)
    return out


def dev_report(model, *, eval_dir: Path = EVAL_DIR, include_test: bool = False, dictionary=True) -> dict:
    """Scores per subset: ``{"tune": {"model", "dictionary", "calibration", "n"}, ...}``."""
    articles = read_jsonl(Path(eval_dir) / "articles.jsonl")
    gold = read_jsonl(Path(eval_dir) / "labels.jsonl")
    subs = subsets(load_split(), articles)
    names = [n for n in subs if include_test or n.startswith("tune")]
    keep = set().union(*(subs[n] for n in names))
    arts = [a for a in articles if a["id"] in keep]
    preds = model_predictions(model, arts)
    codebook = load_codebook()
    frames = codebook.frame_keys
    base = dictionary_predictions(codebook, arts) if dictionary else None
    out: dict = {"version": getattr(model, "version", None)}
    for n in names:
        g = [x for x in gold if x["id"] in subs[n]]
        p = [x for x in preds if x["id"] in subs[n]]
        out[n] = {"n": len(g), "model": score(p, g, frames), "calibration": calibration(p, g, frames)}
        if base is not None:
            out[n]["dictionary"] = score([x for x in base if x["id"] in subs[n]], g, frames)
    return out


def summary_rows(report: Mapping) -> list[tuple]:
    """(subset, n, model frame macro-F1, dict, model stance, dict, model dominant, dict, Brier)."""
    rows = []
    for n, r in report.items():
        if not isinstance(r, dict) or "model" not in r:
            continue
        m, d = r["model"], r.get("dictionary", {})
        has_stance = m["n_stance"] > 0
        rows.append(
            (
                n,
                r["n"],
                m["frame_macro_f1"],
                d.get("frame_macro_f1"),
                m["stance_macro_f1"] if has_stance else None,
                d.get("stance_macro_f1") if has_stance else None,
                m["dominant_accuracy"],
                d.get("dominant_accuracy"),
                r["calibration"]["mean_brier"],
            )
        )
    return rows


def format_report(report: Mapping) -> str:
    def f(x):
        return "-" if x is None else f"{x:.3f}"

    head = "| subset | n | frame F1 model | dict | stance F1 model | dict | dominant model | dict | Brier |"
    lines = [head, "|" + "---|" * 9]
    for row in summary_rows(report):
        lines.append("| " + " | ".join([row[0], str(row[1])] + [f(x) for x in row[2:]]) + " |")
    for n, r in report.items():
        if not isinstance(r, dict) or "model" not in r:
            continue
        per = ", ".join(
            f"{x['frame']} {x['f1']:.2f} (fp {x['fp']}, fn {x['fn']})" for x in r["model"]["frames"]
        )
        cal = r["calibration"]
        brier = ", ".join(f"{k} {v:.3f}" for k, v in cal["brier"].items())
        bins = "; ".join(
            f"[{b['low']:.1f},{b['high']:.1f}) n={b['n']} "
            f"pred={f(b['mean_predicted'])} obs={f(b['observed'])}"
            for b in cal["bins"]
        )
        lines += ["", f"{n}: per frame {per}", f"  Brier: {brier}", f"  reliability: {bins}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    from classifiers.cache import load_or_train

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    ap.add_argument("--cache-dir", type=Path, default=REPO / "instance" / "models")
    ap.add_argument("--test", action="store_true", help="also score the test half (once per final model)")
    ap.add_argument("--json", type=Path, help="write the full report here")
    args = ap.parse_args(argv)
    model = load_or_train(load_codebook(), args.cache_dir)
    rep = dev_report(model, eval_dir=args.eval_dir, include_test=args.test)
    print(f"model {rep['version']}\n{format_report(rep)}")
    if args.json:
        args.json.write_text(json.dumps(rep, indent=1))


if __name__ == "__main__":
    main()


def card_section(report: Mapping) -> list[str]:
    """Model-card markdown: every subset of ``dev_report`` with the dictionary, and calibration."""

    def f(x):
        return "-" if x is None else f"{x:.3f}"

    out = [
        "## Unseen events: tune and test halves of `../shared/eval`",
        "",
        "The evaluation set is split by event (`fixtures/eval-split.json`,",
        "`python -m classifiers.eval_split`): settings may be compared on the tune half only; the test",
        "half is scored once per final model. `-other` are the conflicts outside Russia–Ukraine (frames",
        "only), `-ru-ua` the Russia–Ukraine events.",
        "Each cell: model / keyword dictionary. Brier: mean over frames of the article-level frame",
        "probability's squared error (lower is better).",
        "",
        "| subset | articles | frame macro-F1 | stance macro-F1 | dominant accuracy | Brier |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in summary_rows(report):
        name, n, fm, fd, sm, sd, dm, dd, brier = row
        stance = "-" if sm is None else f"{f(sm)} / {f(sd)}"
        out.append(f"| {name} | {n} | {f(fm)} / {f(fd)} | {stance} | {f(dm)} / {f(dd)} | {f(brier)} |")
    for name in ("tune", "test"):
        r = report.get(name)
        if not r:
            continue
        cal = r["calibration"]
        out += [
            "",
            f"Per frame, {name} half (F1 model / dictionary; Brier model, and a constant at the base rate):",
            "",
            "| frame | positives | F1 | FP | FN | Brier | base-rate Brier |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for m, d in zip(r["model"]["frames"], r["dictionary"]["frames"], strict=True):
            k = m["frame"]
            out.append(
                f"| {k} | {m['positives']} | {f(m['f1'])} / {f(d['f1'])} | {m['fp']} | {m['fn']} | "
                f"{f(cal['brier'][k])} | {f(cal['base_rate_brier'][k])} |"
            )
        out += [
            "",
            f"Reliability, {name} half (all frames pooled): "
            + "; ".join(
                f"[{b['low']:.1f}, {b['high']:.1f}) n={b['n']}: predicted {f(b['mean_predicted'])}, "
                f"observed {f(b['observed'])}"
                for b in cal["bins"]
            )
            + ".",
        ]
    return out + [""]
