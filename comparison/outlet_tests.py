"""The tests and tables behind :func:`comparison.compare_outlets`, one function each.

Each takes the per-outlet counts ``compare_outlets`` has already made and appends a
:class:`ComparisonWarning` (rather than raising) when a part cannot be computed, so one
degenerate frame does not cost the researcher the rest of the comparison.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from comparison.comparison_result import DivergenceResult
from comparison.contingency import CHI_SQUARE, IndependenceTestResult, independence_test, prevalence_test
from comparison.errors import ComparisonError
from comparison.records import ComparisonWarning, RecordArrays
from comparison.results import FrameTestResult, Omission
from comparison.stats import benjamini_hochberg, jensen_shannon_divergence


def divergence_matrix(
    arrays: RecordArrays,
    counts: np.ndarray,
    shares: np.ndarray,
    dominant: np.ndarray,
    distribution: str,
    warnings: list[ComparisonWarning],
) -> DivergenceResult | None:
    source = {"prevalence": counts, "share": shares, "dominant": dominant}[distribution]
    usable = [i for i in range(len(arrays.outlets)) if source[i].sum() > 0]
    for i in sorted(set(range(len(arrays.outlets))) - set(usable)):
        warnings.append(
            ComparisonWarning(
                "no_distribution",
                f"{arrays.outlets[i]} has no frame mass ({distribution}); left out of the divergence matrix",
                outlet=arrays.outlets[i],
            )
        )
    if len(usable) < 2:
        return None
    m = np.zeros((len(usable), len(usable)))
    for a, b in combinations(range(len(usable)), 2):
        m[a, b] = m[b, a] = jensen_shannon_divergence(source[usable[a]], source[usable[b]])
    return DivergenceResult(
        tuple(arrays.outlets[i] for i in usable),
        distribution,
        tuple(tuple(float(x) for x in row) for row in m),
    )


def frame_tests(
    arrays: RecordArrays,
    counts: np.ndarray,
    n_articles: np.ndarray,
    random_state: int,
    n_resamples: int,
    warnings: list[ComparisonWarning],
) -> tuple[FrameTestResult, ...]:
    tested = []
    for f, frame in enumerate(arrays.frames):
        try:
            test = prevalence_test(
                counts[:, f], n_articles, n_resamples=n_resamples, random_state=random_state
            )
        except ComparisonError as exc:
            warnings.append(ComparisonWarning("test_not_applicable", f"{frame}: {exc}", frame=frame))
            continue
        if test.method != CHI_SQUARE:
            warnings.append(
                ComparisonWarning(
                    "chi_square_assumptions",
                    f"{frame}: smallest expected count {test.min_expected:.2f}, "
                    f"{test.share_expected_below_5:.0%} of cells below 5; used {test.method}",
                    frame=frame,
                )
            )
        tested.append((frame, test))
    adjusted = benjamini_hochberg([t.pvalue for _, t in tested])
    return tuple(
        FrameTestResult(frame, test, p_adj, adjusted.method)
        for (frame, test), p_adj in zip(tested, adjusted.pvalues_adjusted, strict=True)
    )


def stance_test(
    stance_counts: np.ndarray, random_state: int, n_resamples: int, warnings: list[ComparisonWarning]
) -> IndependenceTestResult | None:
    """Outlet × stance test over outlets with labels and labels that occur (empty ones carry nothing)."""
    table = stance_counts[stance_counts.sum(axis=1) > 0][:, stance_counts.sum(axis=0) > 0]
    if table.shape[0] < 2 or table.shape[1] < 2:
        warnings.append(
            ComparisonWarning(
                "test_not_applicable",
                "stance: fewer than two outlets with "
                "stance labels, or a single label used; no test across outlets",
            )
        )
        return None
    test = independence_test(table, n_resamples=n_resamples, random_state=random_state)
    if test.method != CHI_SQUARE:
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
