"""Corrected columns beside the raw ones in a result's tidy tables, and tests on corrected shares.

Works on the rows of any result's ``tables()`` (comparison, trends, profile): every row with
``count`` and ``n`` of a frame gets ``share_corrected``, ``ci_low_corrected``, ``ci_high_corrected``
and ``correction_method``; stance rows are corrected together, per unit (and event or bucket).
Frame rows use the unit-level calibration (``comparison.unit_calibration``) when the figures carry
validation units, and the adjusted count (``comparison.correction``) otherwise; only ``count`` and
``n`` of a row are read, so aggregated rows are corrected as they are.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

from comparison.advice import ComparisonWarning
from comparison.correction import (
    N_DRAWS,
    CorrectionError,
    correct_distribution,
    correct_share,
    seed_for,
)
from comparison.stats import benjamini_hochberg
from comparison.unit_calibration import UnitCalibration, calibrated_share, refit_draws
from comparison.validation_figures import ValidationFigures

MAX_PAIRWISE_UNITS = 40  # 780 pairs per frame; beyond, group outlets (group_by) instead
CORRECTED_COLUMNS = ("share_corrected", "ci_low_corrected", "ci_high_corrected", "correction_method")
_VALUE_KEYS = {"frame", "stance", "count", "n", "share", "ci_low", "ci_high", "mean_sentence_share"}
_VALUE_KEYS |= set(CORRECTED_COLUMNS)


@dataclass(frozen=True)
class CorrectionSettings:
    """How to correct: the figures, the Monte Carlo size and seed, and the interval level.

    ``calibration`` (fitted from ``validation.units``) corrects frame rows when given; without it,
    or for a frame it has no prior for, rows fall back to the adjusted count.
    """

    validation: ValidationFigures
    n_draws: int = N_DRAWS
    random_state: int = 0
    confidence_level: float = 0.95
    calibration: UnitCalibration | None = None
    calibration_note: str = ""  # why there is no calibration, when there is none


def _key(row: Mapping[str, Any]) -> str:
    return json.dumps({k: row[k] for k in sorted(row) if k not in _VALUE_KEYS}, default=str, sort_keys=True)


def _blank(row: dict[str, Any], reason: str) -> None:
    row.update(dict.fromkeys(CORRECTED_COLUMNS[:3]))
    row["correction_method"] = f"not corrected: {reason}"


def _frame_draws(settings: CorrectionSettings) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """One set of (TPR, FPR) draws per frame, shared by every row of that frame."""
    return {
        f: v.draws(settings.n_draws, seed_for(settings.random_state, "validation", f))
        for f, v in settings.validation.frames.items()
    }


def correct_frame_rows(
    rows: Sequence[dict[str, Any]], settings: CorrectionSettings
) -> dict[tuple[str, str], np.ndarray]:
    """Add the corrected columns to frame rows in place; returns draws keyed by (row key, frame)."""
    shared = _frame_draws(settings)
    calibration = settings.calibration
    refits = (
        None if calibration is None else refit_draws(calibration, settings.n_draws, settings.random_state)
    )
    draws: dict[tuple[str, str], np.ndarray] = {}
    for row in rows:
        frame = row.get("frame")
        v = settings.validation.frames.get(frame)
        if v is None:
            _blank(row, f"no validation figures for frame {frame!r}")
            continue
        key = _key(row)
        try:
            if calibration is not None and frame in calibration.prior_means:
                c = calibrated_share(
                    row["count"],
                    row["n"],
                    frame,
                    calibration,
                    confidence_level=settings.confidence_level,
                    random_state=settings.random_state,
                    refit_index=refits,
                    key=key + frame,
                )
            else:
                c = correct_share(
                    row["count"],
                    row["n"],
                    v,
                    confidence_level=settings.confidence_level,
                    n_draws=settings.n_draws,
                    random_state=settings.random_state,
                    validation_draws=shared[frame],
                    key=key + frame,
                )
        except CorrectionError as error:
            _blank(row, str(error))
            continue
        row.update(
            share_corrected=c.share,
            ci_low_corrected=c.ci_low,
            ci_high_corrected=c.ci_high,
            correction_method=c.method,
        )
        draws[(key, frame)] = c.draws
    return draws


def correct_stance_rows(rows: Sequence[dict[str, Any]], settings: CorrectionSettings) -> None:
    """Add corrected columns to stance rows in place, one confusion-matrix inversion per group."""
    stance = settings.validation.stance
    if stance is None:
        for row in rows:
            _blank(row, "no stance validation figures")
        return
    shared = stance.draws(settings.n_draws, seed_for(settings.random_state, "stance"))
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[_key(row)].append(row)
    for key, members in groups.items():
        counts = {r["stance"]: r["count"] for r in members}
        try:
            result = correct_distribution(
                counts,
                stance,
                confidence_level=settings.confidence_level,
                n_draws=settings.n_draws,
                random_state=settings.random_state,
                validation_draws=shared,
                key=key,
            )
        except (CorrectionError, ValueError) as error:
            for r in members:
                _blank(r, str(error))
            continue
        for r in members:
            c = result[r["stance"]]
            r.update(
                share_corrected=c.share,
                ci_low_corrected=c.ci_low,
                ci_high_corrected=c.ci_high,
                correction_method=c.method,
            )


def corrected_difference_tests(
    rows: Sequence[Mapping[str, Any]], draws: Mapping[tuple[str, str], np.ndarray], unit: str, level: float
) -> list[dict[str, Any]]:
    """Pairwise differences of corrected shares per frame, Monte Carlo p-values, BH across all pairs.

    Notes
    -----
    Both shares of a pair use the same (TPR, FPR) draws, so the validation uncertainty they have in
    common does not inflate the difference. The two-sided p-value is twice the smaller tail of the
    difference's draws around 0, with the usual +1 so it is never 0.
    """
    by_frame: dict[str, list[tuple[str, np.ndarray]]] = defaultdict(list)
    for row in rows:
        d = draws.get((_key(row), row["frame"]))
        if d is not None:
            by_frame[row["frame"]].append((row[unit], d))
    out = []
    a = (1 - level) / 2
    for frame, members in by_frame.items():
        for (u1, d1), (u2, d2) in combinations(members, 2):
            diff = d1 - d2
            tail = min((diff <= 0).sum(), (diff >= 0).sum())
            low, high = np.quantile(diff, [a, 1 - a])
            out.append(
                {
                    "frame": frame,
                    f"{unit}_a": u1,
                    f"{unit}_b": u2,
                    "difference_corrected": float(np.mean(diff)),
                    "ci_low": float(low),
                    "ci_high": float(high),
                    "pvalue": min(1.0, 2 * (tail + 1) / (len(diff) + 1)),
                    "method": "Monte Carlo difference of corrected shares (shared validation draws)",
                }
            )
    adjusted = benjamini_hochberg([r["pvalue"] for r in out]).pvalues_adjusted if out else ()
    for r, p in zip(out, adjusted, strict=True):
        r.update(pvalue_adjusted=p, correction_method="fdr_bh")
    return out


def correct_tables(
    tables: Mapping[str, list[dict[str, Any]]], settings: CorrectionSettings, *, unit: str = "outlet"
) -> dict[str, list[dict[str, Any]]]:
    """Copies of the tables with corrected columns, plus ``corrected_frame_tests`` when units differ."""
    out = {name: [dict(r) for r in rows] for name, rows in tables.items()}
    for name in ("event_prevalence",):
        if name in out:
            correct_frame_rows(out[name], settings)
    if "prevalence" in out:
        draws = correct_frame_rows(out["prevalence"], settings)
        if unit in (out["prevalence"][0] if out["prevalence"] else {}):
            plain = [r for r in out["prevalence"] if "bucket" not in r and "event" not in r]
            n_units = len({r[unit] for r in plain})
            if n_units <= MAX_PAIRWISE_UNITS:
                tests = corrected_difference_tests(plain, draws, unit, settings.confidence_level)
            else:
                tests = []
                out.setdefault("warnings", []).append(
                    ComparisonWarning(
                        "corrected_tests_skipped",
                        f"{n_units} {unit}s are too many to test every pair on corrected shares "
                        f"(at most {MAX_PAIRWISE_UNITS}); group them with group_by",
                    ).row()
                )
            out["corrected_frame_tests"] = tests
    if "stance" in out:
        correct_stance_rows(out["stance"], settings)
    return out
