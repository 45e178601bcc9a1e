"""Validation figures shipped with the model: its error counts on the tune half of ``../shared/eval``.

usage: python -m classifiers.validation [--cache-dir instance/models] [--eval-dir ../shared/eval]

Writes ``fixtures/validation/<codebook>.json``: per frame the TP/FP/FN/TN counts of the served
model against the coders' labels, and the stance confusion counts (rows: the coders' stance,
columns: the model's); per event ("unit", numbered) the article count and the labelled and coded
count of each frame (``comparison.unit_calibration`` fits on these); per frame the sums of the
model's calibrated probabilities among true positives and negatives (for PACC in the evaluation).
Stamped with the model version and codebook hash. Numbers only: no text of the evaluation set.
``comparison`` turns them into error-corrected prevalence (``correction=validation`` in the service).
The *tune* half is used because the *test* half is kept to measure the correction itself
(``classifiers.correction_eval``).

Whoever changes the model (codebook, corpus, features, parameters) regenerates this file;
``tests/classifiers/test_validation.py`` fails while it describes another model version.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from classifiers.codebook import STANCE_LABELS, Codebook, load_codebook
from classifiers.corpus import load_corpus
from classifiers.environment import blas_kernels
from classifiers.eval_split import load_split
from classifiers.scoring import EVAL_DIR, read_jsonl

REPO = Path(__file__).resolve().parents[1]
VALIDATION_DIR = REPO / "fixtures" / "validation"
DEFAULT_CACHE = REPO / "instance" / "models"


def validation_path(codebook_key: str = "conflict") -> Path:
    return VALIDATION_DIR / f"{codebook_key}.json"


def served_version(codebook: Codebook, cache_dir: Path | str = DEFAULT_CACHE) -> str:
    """The version ``load_or_train`` serves for this codebook and the shipped corpus (nothing trained)."""
    from classifiers.cache import model_path  # noqa: PLC0415 - keeps joblib out of light imports

    return model_path(codebook, load_corpus(codebook), cache_dir).stem


def error_counts(
    predicted: Sequence[Mapping[str, Any]], gold: Sequence[Mapping[str, Any]], frames: Sequence[str]
) -> dict[str, Any]:
    """Per-frame TP/FP/FN/TN and stance confusion counts of paired ``{"frames", "stance"}`` labels.

    Stance pairs count only where both the coders and the model gave one of the stance labels
    (the corrected stance shares are shares among articles with a stance, as the raw ones are).
    """
    if len(predicted) != len(gold):
        raise ValueError("predicted and gold labels must pair up")
    out: dict[str, Any] = {"frames": {}}
    for f in frames:
        c = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
        for p, g in zip(predicted, gold, strict=True):
            hit, true = f in p["frames"], f in g["frames"]
            c[("t" if hit == true else "f") + ("p" if hit else "n")] += 1
        out["frames"][f] = c
    index = {s: i for i, s in enumerate(STANCE_LABELS)}
    counts = [[0] * len(STANCE_LABELS) for _ in STANCE_LABELS]
    for p, g in zip(predicted, gold, strict=True):
        if p.get("stance") in index and g.get("stance") in index:
            counts[index[g["stance"]]][index[p["stance"]]] += 1
    out["stance"] = {"labels": list(STANCE_LABELS), "counts": counts}
    return out


def unit_counts(
    predicted: Sequence[Mapping[str, Any]],
    gold: Sequence[Mapping[str, Any]],
    units: Sequence[str],
    frames: Sequence[str],
) -> list[dict[str, Any]]:
    """Per unit (in order of first appearance): ``n`` and each frame's labelled and coded counts."""
    rows: dict[str, dict[str, Any]] = {}
    for p, g, unit in zip(predicted, gold, units, strict=True):
        row = rows.setdefault(
            unit, {"n": 0, "labelled": dict.fromkeys(frames, 0), "coded": dict.fromkeys(frames, 0)}
        )
        row["n"] += 1
        for f in frames:
            row["labelled"][f] += f in p["frames"]
            row["coded"][f] += f in g["frames"]
    return list(rows.values())


def score_sums(
    predicted: Sequence[Mapping[str, Any]], gold: Sequence[Mapping[str, Any]], frames: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Per frame: count, sum and sum of squares of the calibrated probabilities, coded positives/negatives."""
    out = {}
    for f in frames:
        c = dict.fromkeys(
            ("n_positive", "sum_positive", "sumsq_positive", "n_negative", "sum_negative", "sumsq_negative"),
            0.0,
        )
        for p, g in zip(predicted, gold, strict=True):
            side = "positive" if f in g["frames"] else "negative"
            score = p["scores"][f]
            c[f"n_{side}"] += 1
            c[f"sum_{side}"] += score
            c[f"sumsq_{side}"] += score * score
        out[f] = {k: int(v) if k.startswith("n_") else round(v, 6) for k, v in c.items()}
    return out


def predictions(model, articles: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:  # noqa: ANN001
    """The model's frames, stance and per-frame calibrated probabilities of each article."""
    results = model.classify_many([(a.get("title", ""), a.get("text", ""), None) for a in articles])
    return [
        {"frames": r.present_frames, "stance": r.stance.label, "scores": {f.key: f.score for f in r.frames}}
        for r in results
    ]


def validation_figures(model, *, eval_dir: Path = EVAL_DIR, half: str = "tune") -> dict[str, Any]:  # noqa: ANN001
    """The figures for ``model`` on one half of the evaluation set (see the module docstring)."""
    articles = read_jsonl(Path(eval_dir) / "articles.jsonl")
    gold = {g["id"]: g for g in read_jsonl(Path(eval_dir) / "labels.jsonl")}
    ids = set(load_split()["ids"][half])
    chosen = [a for a in articles if a["id"] in ids]
    predicted = predictions(model, chosen)
    coded = [gold[a["id"]] for a in chosen]
    frames = model.codebook.frame_keys
    counts = error_counts(predicted, coded, frames)
    counts["units"] = unit_counts(predicted, coded, [a["event"] for a in chosen], frames)
    counts["scores"] = score_sums(predicted, coded, frames)
    return {
        "model_version": model.version,
        "codebook": model.codebook.key,
        "codebook_hash": model.codebook.hash,
        "source": "validation",
        "sample": f"../shared/eval, {half} half of fixtures/eval-split.json (coders' adjudicated labels)",
        "n_articles": len(chosen),
        "command": "python -m classifiers.validation",
        "blas_kernels": blas_kernels(),  # score sums' last digits depend on it (docs/reproducibility.md)
        **counts,
    }


def main(argv: list[str] | None = None) -> None:
    from classifiers.cache import load_or_train  # noqa: PLC0415

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    ap.add_argument("--codebook", default="conflict")
    args = ap.parse_args(argv)
    model = load_or_train(load_codebook(args.codebook), args.cache_dir)
    figures = validation_figures(model, eval_dir=args.eval_dir)
    path = validation_path(args.codebook)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=1) + "\n")
    n = figures["n_articles"]
    print(f"wrote {path.relative_to(REPO)} for model {figures['model_version']} ({n} articles)")


if __name__ == "__main__":
    main()
