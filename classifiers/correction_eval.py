"""Which correction is closer to the coders? Raw vs each candidate, chosen on tune, reported on test.

usage: python -m classifiers.correction_eval [--cache-dir instance/models] [--eval-dir ../shared/eval]

Each event of ``../shared/eval`` is treated as one outlet whose true prevalence (the coders' share
of its articles using each frame) is known. Per event × frame, every candidate estimates that share
from the model's labels (or calibrated probabilities) and validation figures:

- **tune** (selection): leave one event out — the figures come from the other nine tune events,
  so no candidate sees the event it estimates. The shipped method is the candidate with the lowest
  mean absolute error among those whose 95 % intervals cover the coders' share in ≥ 90 % of cells.
- **test** (report): the figures of the whole tune half (as shipped), the 12 test events measured once.

Candidates: raw classify-and-count (Wilson interval), Rogan–Gladen adjusted count
(``comparison.correction``), PCC and PACC on calibrated probabilities and the Bayesian
misclassification model (``comparison.quantifiers``), and the unit-level calibration
(``comparison.unit_calibration``). Stance is measured on test: raw vs confusion-matrix inversion.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.codebook import STANCE_LABELS, load_codebook
from classifiers.eval_split import load_split
from classifiers.scoring import EVAL_DIR, read_jsonl
from classifiers.validation import DEFAULT_CACHE, error_counts, predictions, score_sums, unit_counts
from comparison.correction import CorrectionError, correct_distribution, correct_share
from comparison.quantifiers import bayes_count_share, pacc_share, pcc_share
from comparison.stats import wilson_interval
from comparison.unit_calibration import UnitCalibration, calibrated_share
from comparison.validation_figures import ValidationFigures

CANDIDATES = ("raw", "rogan-gladen", "pcc", "pacc", "bayes-count", "unit-calibrated")
SHIPPED = "unit-calibrated"  # what correction=validation uses (service.correcting)
MIN_COVERAGE = 0.90
N_DRAWS = 4000

Fitted = tuple[ValidationFigures, UnitCalibration]


def unit_cells(
    predicted: Mapping[str, Mapping[str, Any]],
    gold: Mapping[str, Mapping[str, Any]],
    events: Mapping[str, list[str]],
    frames: Sequence[str],
) -> list[dict[str, Any]]:
    """Per event × frame: labelled count, probability sums and the coders' share."""
    cells = []
    for event, ids in sorted(events.items()):
        for f in frames:
            scores = np.array([predicted[i]["scores"][f] for i in ids])
            cells.append(
                {
                    "event": event,
                    "frame": f,
                    "n": len(ids),
                    "count": sum(f in predicted[i]["frames"] for i in ids),
                    "score_sum": float(scores.sum()),
                    "score_sumsq": float((scores**2).sum()),
                    "coder": sum(f in gold[i]["frames"] for i in ids) / len(ids),
                }
            )
    return cells


def fit_figures(
    predicted: Mapping[str, Mapping[str, Any]],
    gold: Mapping[str, Mapping[str, Any]],
    events: Mapping[str, list[str]],
    frames: Sequence[str],
) -> Fitted:
    """Validation figures (as ``classifiers.validation`` writes them) and their calibration."""
    ids = [i for event in sorted(events) for i in events[event]]
    p, g = [predicted[i] for i in ids], [gold[i] for i in ids]
    raw = error_counts(p, g, frames)
    raw["units"] = unit_counts(p, g, [e for e in sorted(events) for _ in events[e]], frames)
    raw["scores"] = score_sums(p, g, frames)
    figures = ValidationFigures.from_dict({**raw, "n_articles": len(ids)})
    return figures, figures.calibration()


def estimate(name: str, cell: Mapping[str, Any], fitted: Fitted) -> tuple[float, float, float]:
    """One candidate's ``(point, low, high)`` for one cell."""
    figures, calibration = fitted
    n, count, frame = cell["n"], cell["count"], cell["frame"]
    key = cell["event"] + frame
    if name == "raw":
        return (count / n, *wilson_interval(count, n))
    if name == "rogan-gladen":
        c = correct_share(count, n, figures.frames[frame], n_draws=N_DRAWS, key=key)
    elif name == "pcc":
        c = pcc_share(cell["score_sum"], cell["score_sumsq"], n)
    elif name == "pacc":
        c = pacc_share(cell["score_sum"], cell["score_sumsq"], n, figures.scores[frame], key=key)
    elif name == "bayes-count":
        prior = (calibration.prior_means[frame], calibration.prior_concentration)
        c = bayes_count_share(count, n, figures.frames[frame], prior)
    else:
        c = calibrated_share(count, n, frame, calibration, n_draws=N_DRAWS, key=key)
    return c.share, c.ci_low, c.ci_high


def score_candidates(cells: Sequence[Mapping[str, Any]], fitted_for: Callable[[str], Fitted]) -> dict:
    """Mean absolute error, coverage and mean width of every candidate over the cells.

    ``error_vs_raw`` is the candidate's mean absolute error minus raw's, with a 95 % interval from
    resampling events (cells of one event move together): whether "closer than raw" is more than noise.
    """
    out = {}
    by_event = defaultdict(list)
    for i, cell in enumerate(cells):
        by_event[cell["event"]].append(i)
    raw_errors = None
    for name in CANDIDATES:
        errors, covered, widths = [], [], []
        for cell in cells:
            try:
                point, low, high = estimate(name, cell, fitted_for(cell["event"]))
            except CorrectionError:  # e.g. TPR <= FPR: the method cannot correct this cell, raw stands
                point, low, high = estimate("raw", cell, fitted_for(cell["event"]))
            truth = cell["coder"]
            errors.append(abs(point - truth))
            covered.append(low - 1e-9 <= truth <= high + 1e-9)
            widths.append(high - low)
        out[name] = {
            "mean_abs_error": float(np.mean(errors)),
            "coverage": float(np.mean(covered)),
            "mean_width": float(np.mean(widths)),
        }
        raw_errors = np.asarray(errors) if raw_errors is None else raw_errors
        out[name]["error_vs_raw"] = _paired_difference(np.asarray(errors) - raw_errors, by_event)
    return out


def _paired_difference(diff: np.ndarray, by_event: Mapping[str, list[int]]) -> dict[str, float]:
    """Mean of per-cell differences and its 95 % interval from 2,000 resamples of whole events."""
    rng = np.random.default_rng(0)
    groups = list(by_event.values())
    means = []
    for _ in range(2000):
        picked = [i for g in rng.integers(len(groups), size=len(groups)) for i in groups[g]]
        means.append(diff[picked].mean())
    low, high = np.quantile(means, [0.025, 0.975])
    return {"mean": float(diff.mean()), "ci_low": float(low), "ci_high": float(high)}


def select(tune: Mapping[str, Mapping[str, float]]) -> str:
    """The correction with the lowest tune error among those covering ≥ ``MIN_COVERAGE`` of cells."""
    eligible = [n for n in CANDIDATES if n != "raw" and tune[n]["coverage"] >= MIN_COVERAGE]
    if not eligible:
        raise CorrectionError(f"no candidate covers {MIN_COVERAGE:.0%} of the tune cells")
    return min(eligible, key=lambda n: tune[n]["mean_abs_error"])


def stance_cells(predicted, gold, events, figures: ValidationFigures) -> dict[str, Any]:  # noqa: ANN001
    """Raw vs corrected stance shares per event × label (events with ≥ 3 coded stances)."""
    errors: dict[str, list[float]] = defaultdict(list)
    covered: dict[str, list[bool]] = defaultdict(list)
    for event, ids in sorted(events.items()):
        both = [i for i in ids if gold[i].get("stance") in STANCE_LABELS]
        labelled = [i for i in ids if predicted[i].get("stance") in STANCE_LABELS]
        if len(both) < 3 or not labelled or figures.stance is None:
            continue
        counts = {s: sum(predicted[i]["stance"] == s for i in labelled) for s in STANCE_LABELS}
        corrected = correct_distribution(counts, figures.stance, n_draws=N_DRAWS, key=event)
        for s in STANCE_LABELS:
            truth = sum(gold[i]["stance"] == s for i in both) / len(both)
            low, high = wilson_interval(counts[s], len(labelled))
            c = corrected[s]
            errors["raw"].append(abs(counts[s] / len(labelled) - truth))
            errors["corrected"].append(abs(c.share - truth))
            covered["raw"].append(low <= truth <= high)
            covered["corrected"].append(c.ci_low <= truth <= c.ci_high)
    return {
        "n_cells": len(errors["raw"]),
        **{f"mean_abs_error_{k}": float(np.mean(v)) for k, v in errors.items()},
        **{f"coverage_{k}": float(np.mean(v)) for k, v in covered.items()},
    }


def run(model, *, eval_dir: Path = EVAL_DIR) -> dict[str, Any]:  # noqa: ANN001
    """Classify both halves with ``model``, select on tune (leave one event out), report on test."""
    articles = read_jsonl(Path(eval_dir) / "articles.jsonl")
    gold = {g["id"]: g for g in read_jsonl(Path(eval_dir) / "labels.jsonl")}
    split = load_split()["ids"]
    frames = model.codebook.frame_keys
    halves = {}
    for half in ("tune", "test"):
        chosen = [a for a in articles if a["id"] in set(split[half])]
        predicted = dict(zip((a["id"] for a in chosen), predictions(model, chosen), strict=True))
        events: dict[str, list[str]] = defaultdict(list)
        for a in chosen:
            events[a["event"]].append(a["id"])
        halves[half] = (predicted, events, unit_cells(predicted, gold, events, frames))
    predicted, events, cells = halves["tune"]
    left_out = {
        e: fit_figures(predicted, gold, {k: v for k, v in events.items() if k != e}, frames) for e in events
    }
    shipped = fit_figures(predicted, gold, events, frames)
    tune = score_candidates(cells, left_out.__getitem__)
    test_predicted, test_events, test_cells = halves["test"]
    return {
        "model_version": model.version,
        "n_events": {h: len(halves[h][1]) for h in halves},
        "n_cells": {h: len(halves[h][2]) for h in halves},
        "selection": f"lowest tune mean |error| among corrections covering >= {MIN_COVERAGE:.0%} of cells",
        "selected": select(tune),
        "tune": tune,
        "test": score_candidates(test_cells, lambda event: shipped),
        "stance_test": stance_cells(test_predicted, gold, test_events, shipped[0]),
    }


def main(argv: list[str] | None = None) -> None:
    from classifiers.cache import load_or_train  # noqa: PLC0415

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    args = ap.parse_args(argv)
    print(json.dumps(run(load_or_train(load_codebook(), args.cache_dir), eval_dir=args.eval_dir), indent=1))


if __name__ == "__main__":
    main()
