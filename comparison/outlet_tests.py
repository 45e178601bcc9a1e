"""The tests and tables behind :func:`comparison.compare_outlets`, one function each.

Each takes the per-outlet counts ``compare_outlets`` has already made and appends a
:class:`ComparisonWarning` (rather than raising) when a part cannot be computed, so one
degenerate frame does not cost the researcher the rest of the comparison.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from comparison.contingency import CHI_SQUARE, independence_test, prevalence_test
from comparison.errors import ComparisonError
from comparison.records import CellCounts, ComparisonWarning, RecordArrays
from comparison.results import FrameTestResult, Omission
from comparison.stats import benjamini_hochberg
from comparison.strata import CMH_GENERAL, stratified_test


def _strata_tables(n: np.ndarray, counts: np.ndarray) -> list[np.ndarray]:
    """Per event, the unit × category table: ``n`` is (units, events), ``counts`` (units, events, k)."""
    return [counts[:, e, :] for e in range(n.shape[1])]


def frame_tests(
    arrays: RecordArrays,
    counts: np.ndarray,
    n_articles: np.ndarray,
    random_state: int,
    n_resamples: int,
    warnings: list[ComparisonWarning],
    *,
    effect_sizes: bool = True,
    strata: CellCounts | None = None,
) -> tuple[FrameTestResult, ...]:
    """One test per frame across units, BH-adjusted across frames; event-stratified when ``strata``.

    ``strata`` holds the unit × event cells (``n`` of length units × events); Cramér's V is left
    out (``effect_sizes=False``) when some unit has too few articles for it to mean anything.
    """
    tested = []
    n_units = len(arrays.outlets)
    for f, frame in enumerate(arrays.frames):
        try:
            if strata is None:
                test: Any = prevalence_test(
                    counts[:, f], n_articles, n_resamples=n_resamples, random_state=random_state
                )
            else:
                n = strata.n.reshape(n_units, -1)
                present = strata.present[:, f].reshape(n_units, -1)
                tables = _strata_tables(n, np.stack([present, n - present], axis=2))
                test = stratified_test(tables, n_resamples=n_resamples, random_state=random_state)
        except ComparisonError as exc:
            warnings.append(ComparisonWarning("test_not_applicable", f"{frame}: {exc}", frame=frame))
            continue
        if test.method not in (CHI_SQUARE, CMH_GENERAL):
            warnings.append(
                ComparisonWarning(
                    "chi_square_assumptions",
                    f"{frame}: smallest expected count {test.min_expected:.2f}; used {test.method}",
                    frame=frame,
                )
            )
        tested.append((frame, test))
    adjusted = benjamini_hochberg([t.pvalue for _, t in tested])
    return tuple(
        FrameTestResult(frame, test, p_adj, adjusted.method, effect_sizes)
        for (frame, test), p_adj in zip(tested, adjusted.pvalues_adjusted, strict=True)
    )


def stance_test(
    stance_counts: np.ndarray,
    random_state: int,
    n_resamples: int,
    warnings: list[ComparisonWarning],
    strata: CellCounts | None = None,
) -> Any:
    """Unit × stance test over units with labels and labels that occur (empty ones carry nothing)."""
    keep_rows = stance_counts.sum(axis=1) > 0
    keep_cols = stance_counts.sum(axis=0) > 0
    table = stance_counts[keep_rows][:, keep_cols]
    if table.shape[0] < 2 or table.shape[1] < 2:
        warnings.append(
            ComparisonWarning(
                "test_not_applicable",
                "stance: fewer than two units with stance labels, or a single label used; no test",
            )
        )
        return None
    try:
        if strata is None:
            test: Any = independence_test(table, n_resamples=n_resamples, random_state=random_state)
        else:
            by_event = strata.stance.reshape(len(keep_rows), -1, stance_counts.shape[1])
            tables = _strata_tables(by_event.sum(axis=2), by_event[keep_rows][:, :, keep_cols])
            test = stratified_test(tables, n_resamples=n_resamples, random_state=random_state)
    except ComparisonError as exc:
        warnings.append(ComparisonWarning("test_not_applicable", f"stance: {exc}"))
        return None
    if test.method not in (CHI_SQUARE, CMH_GENERAL):
        warnings.append(
            ComparisonWarning(
                "chi_square_assumptions",
                f"stance: smallest expected count {test.min_expected:.2f}; used {test.method}",
            )
        )
    return test


def find_omissions(
    arrays: RecordArrays,
    counts: np.ndarray,
    n_articles: np.ndarray,
    min_articles: int,
    usage_threshold: float,
    omission_threshold: float,
    confidence_level: float,
) -> list[Omission]:
    eligible = n_articles >= min_articles
    prevalence = counts / np.maximum(n_articles, 1)[:, None]
    found = []
    for o, outlet in enumerate(arrays.outlets):
        others = eligible.copy()
        others[o] = False
        if not eligible[o] or others.sum() < 2:
            continue
        for f, frame in enumerate(arrays.frames):
            using = int((prevalence[others, f] >= usage_threshold).sum())
            if prevalence[o, f] <= omission_threshold and using > others.sum() / 2:
                found.append(
                    Omission(
                        outlet,
                        frame,
                        int(counts[o, f]),
                        int(n_articles[o]),
                        using,
                        int(others.sum()),
                        float(np.median(prevalence[others, f])),
                        confidence_level,
                    )
                )
    return found
