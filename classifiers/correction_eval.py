"""Does the correction work on unseen events? Raw vs corrected prevalence on the test half of the eval set.

usage: python -m classifiers.correction_eval [--cache-dir instance/models] [--eval-dir ../shared/eval]

Each *test* event of ``fixtures/eval-split.json`` is treated as one outlet whose true prevalence
(the coders' share of its articles using each frame) is known. Per event × frame it compares the
raw share (classify-and-count, 95% Wilson interval) and the share corrected with the shipped
validation figures (tune half, ``fixtures/validation/conflict.json``; ``comparison.correction``):
mean absolute error against the coders' share, and how often each interval contains it.
Stance is measured the same way over the events with coder stance labels.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.codebook import STANCE_LABELS, load_codebook
from classifiers.eval_split import load_split
from classifiers.scoring import EVAL_DIR, read_jsonl
from classifiers.validation import DEFAULT_CACHE, validation_path
from comparison.corrected_tables import ValidationFigures
from comparison.correction import correct_distribution, correct_share
from comparison.stats import wilson_interval


def measure(
    predictions: Mapping[str, Mapping[str, Any]],
    gold: Mapping[str, Mapping[str, Any]],
    events: Mapping[str, list[str]],
    figures: ValidationFigures,
    *,
    n_draws: int = 4000,
    random_state: int = 0,
) -> dict[str, Any]:
    """Per-cell errors and coverage; ``predictions``/``gold``: id -> {"frames", "stance"}."""
    cells = []
    for event, ids in sorted(events.items()):
        n = len(ids)
        for f, v in figures.frames.items():
            truth = sum(f in gold[i]["frames"] for i in ids) / n
            count = sum(f in predictions[i]["frames"] for i in ids)
            low, high = wilson_interval(count, n)
            c = correct_share(count, n, v, n_draws=n_draws, random_state=random_state, key=event + f)
            cells.append(
                {
                    "event": event,
                    "frame": f,
                    "n": n,
                    "coder": truth,
                    "raw": count / n,
                    "corrected": c.share,
                    "raw_covers": low <= truth <= high,
                    "corrected_covers": c.ci_low <= truth <= c.ci_high,
                    "raw_width": high - low,
                    "corrected_width": c.ci_high - c.ci_low,
                }
            )
    stance_cells = []
    if figures.stance is not None:
        for event, ids in sorted(events.items()):
            both = [i for i in ids if gold[i].get("stance") in STANCE_LABELS]
            labelled = [i for i in ids if predictions[i].get("stance") in STANCE_LABELS]
            if len(both) < 3 or not labelled:
                continue
            counts = {s: sum(predictions[i]["stance"] == s for i in labelled) for s in STANCE_LABELS}
            corrected = correct_distribution(
                counts, figures.stance, n_draws=n_draws, random_state=random_state, key=event
            )
            for s in STANCE_LABELS:
                truth = sum(gold[i]["stance"] == s for i in both) / len(both)
                low, high = wilson_interval(counts[s], len(labelled))
                c = corrected[s]
                stance_cells.append(
                    {
                        "event": event,
                        "stance": s,
                        "coder": truth,
                        "raw": counts[s] / len(labelled),
                        "corrected": c.share,
                        "raw_covers": low <= truth <= high,
                        "corrected_covers": c.ci_low <= truth <= c.ci_high,
                    }
                )
    return {"frames": _summary(cells), "stance": _summary(stance_cells), "cells": cells}


def _summary(cells: list[dict[str, Any]]) -> dict[str, Any]:
    if not cells:
        return {"n_cells": 0}
    col = defaultdict(list)
    for c in cells:
        for k, v in c.items():
            col[k].append(v)
    coder = np.asarray(col["coder"])
    out = {
        "n_cells": len(cells),
        "mean_abs_error_raw": float(np.mean(np.abs(np.asarray(col["raw"]) - coder))),
        "mean_abs_error_corrected": float(np.mean(np.abs(np.asarray(col["corrected"]) - coder))),
        "coverage_raw_wilson": float(np.mean(col["raw_covers"])),
        "coverage_corrected": float(np.mean(col["corrected_covers"])),
    }
    if "raw_width" in col:
        out["mean_width_raw"] = float(np.mean(col["raw_width"]))
        out["mean_width_corrected"] = float(np.mean(col["corrected_width"]))
    return out


def run(model, *, eval_dir: Path = EVAL_DIR, figures: ValidationFigures | None = None) -> dict[str, Any]:  # noqa: ANN001
    """Classify the test half with ``model`` and measure (shipped figures unless given)."""
    if figures is None:
        figures = ValidationFigures.from_dict(json.loads(validation_path(model.codebook.key).read_text()))
    articles = read_jsonl(Path(eval_dir) / "articles.jsonl")
    gold = {g["id"]: g for g in read_jsonl(Path(eval_dir) / "labels.jsonl")}
    test_ids = set(load_split()["ids"]["test"])
    chosen = [a for a in articles if a["id"] in test_ids]
    results = model.classify_many([(a.get("title", ""), a.get("text", ""), None) for a in chosen])
    predictions = {
        a["id"]: {"frames": r.present_frames, "stance": r.stance.label}
        for a, r in zip(chosen, results, strict=True)
    }
    events: dict[str, list[str]] = defaultdict(list)
    for a in chosen:
        events[a["event"]].append(a["id"])
    out = measure(predictions, gold, events, figures)
    out.update(model_version=model.version, n_events=len(events), n_articles=len(chosen))
    return out


def main(argv: list[str] | None = None) -> None:
    from classifiers.cache import load_or_train  # noqa: PLC0415

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    args = ap.parse_args(argv)
    report = run(load_or_train(load_codebook(), args.cache_dir), eval_dir=args.eval_dir)
    report.pop("cells")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
