"""Event-stratified tests and per-event tables for comparisons pooled over several events.

Events differ in which frames they invite and units (outlets or groups) cover different events, so a
test on pooled counts confounds the unit with the event mix. These tests compare units *within*
events and add the evidence up (STYLE rule 16).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from comparison.contingency import _simulate_tables
from comparison.errors import DegenerateTableError, InvalidParameterError

CMH_GENERAL = "cochran-mantel-haenszel-general"
MONTE_CARLO_CMH = "monte-carlo-cochran-mantel-haenszel"


@dataclass(frozen=True)
class StratifiedTestResult:
    """Generalised Cochran–Mantel–Haenszel test of no association between rows and columns, given strata.

    Field names follow :class:`~comparison.contingency.IndependenceTestResult` so the same table
    rows hold both; there is no Cramér's V for a stratified test (``effect_size`` is ``None``).
    """

    statistic: float
    pvalue: float
    df: int
    method: str
    n: int
    n_strata: int
    min_expected: float
    n_resamples: int | None = None
    effect_size: float | None = None

    def summary(self) -> str:
        text = (
            f"{self.method}: Q={self.statistic:.3f}, df={self.df}, p={self.pvalue:.4g}, "
            f"n={self.n} in {self.n_strata} strata"
        )
        return text + (f", {self.n_resamples} resamples" if self.n_resamples else "")

    def __str__(self) -> str:
        return self.summary()


def _moments(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expected counts and covariance of the first (R-1)(C-1) cells under independence, margins fixed."""
    n = table.sum()
    rows, cols = table.sum(axis=1) / n, table.sum(axis=0) / n
    expected = np.outer(rows, cols)[:-1, :-1].ravel() * n
    vr = np.diag(rows[:-1]) - np.outer(rows[:-1], rows[:-1])
    vc = np.diag(cols[:-1]) - np.outer(cols[:-1], cols[:-1])
    return expected, np.kron(vr, vc) * n * n / (n - 1)


def stratified_test(
    tables: Sequence[np.ndarray],
    *,
    n_resamples: int = 9999,
    random_state: int | np.random.Generator | None = 0,
    min_expected: float = 5.0,
) -> StratifiedTestResult:
    """Generalised CMH test (general association) over R × C tables, one per stratum (event).

    ``Q = G' V⁻ G`` with ``G`` the summed differences between observed and expected counts of the
    first (R-1)(C-1) cells and ``V`` their summed covariances with every stratum's margins fixed;
    ``df`` is the rank of ``V``. When some unit × category cell has a summed expected count below
    ``min_expected``, the chi-square reference is replaced by a Monte Carlo one: every stratum's table
    is redrawn with its margins fixed (the exact conditional law), ``n_resamples`` times, seeded.

    Notes
    -----
    Articles are independent given the event; strata with fewer than two articles carry no
    information and are skipped. For 2 × 2 tables ``Q`` equals statsmodels'
    ``StratifiedTable.test_null_odds(correction=False)``; for one stratum it is ``(N-1)/N`` times
    Pearson's X².

    References
    ----------
    Landis, J. R., Heyman, E. R. & Koch, G. G. (1978). Average partial association in three-way
    contingency tables. International Statistical Review 46, 237–254.
    """
    used = [np.asarray(t, dtype=np.int64) for t in tables if np.asarray(t).sum() >= 2]
    if not used:
        raise DegenerateTableError("no stratum has two or more articles")
    shape = used[0].shape
    if len(shape) != 2 or shape[0] < 2 or shape[1] < 2 or any(t.shape != shape for t in used):
        raise InvalidParameterError("strata must be R x C tables of one shape, R, C >= 2")
    observed = np.zeros((shape[0] - 1) * (shape[1] - 1))
    expected_cells = np.zeros(observed.size)
    covariance = np.zeros((observed.size, observed.size))
    pooled_expected = np.zeros(shape)
    for t in used:
        e, v = _moments(t)
        observed += t[:-1, :-1].ravel()
        expected_cells += e
        covariance += v
        pooled_expected += np.outer(t.sum(axis=1), t.sum(axis=0)) / t.sum()
    df = int(np.linalg.matrix_rank(covariance))
    if df == 0:
        raise DegenerateTableError("no stratum has variation in both rows and columns")
    inverse = np.linalg.pinv(covariance)
    diff = observed - expected_cells
    q = float(diff @ inverse @ diff)
    n = int(sum(t.sum() for t in used))
    smallest = float(pooled_expected[pooled_expected.sum(axis=1) > 0].min())
    common = dict(statistic=q, df=df, n=n, n_strata=len(used), min_expected=smallest)
    if smallest >= min_expected:
        return StratifiedTestResult(pvalue=float(stats.chi2.sf(q, df)), method=CMH_GENERAL, **common)
    if n_resamples < 1:
        raise InvalidParameterError("n_resamples must be at least 1")
    rng = np.random.default_rng(random_state)
    simulated = np.zeros((n_resamples, observed.size))
    for t in used:
        simulated += _simulate_tables(t, n_resamples, rng)[:, :-1, :-1].reshape(n_resamples, -1)
    sim_diff = simulated - expected_cells
    sim_q = np.einsum("bi,ij,bj->b", sim_diff, inverse, sim_diff)
    n_extreme = int((sim_q >= q - 1e-9 * max(1.0, q)).sum())
    pvalue = (1 + n_extreme) / (n_resamples + 1)
    return StratifiedTestResult(pvalue=pvalue, method=MONTE_CARLO_CMH, n_resamples=n_resamples, **common)


@dataclass(frozen=True)
class CoverageRow:
    """How much of one event a unit covered: articles, and how many of its outlets wrote about it."""

    outlet: str
    event: str
    n_articles: int
    n_outlets_covering: int
    n_outlets: int

    def row(self) -> dict[str, Any]:
        return {
            "outlet": self.outlet,
            "event": self.event,
            "n_articles": self.n_articles,
            "covered": self.n_articles > 0,
            "n_outlets_covering": self.n_outlets_covering,
            "n_outlets": self.n_outlets,
            "share_of_outlets": self.n_outlets_covering / self.n_outlets if self.n_outlets else None,
        }


def coverage_rows(
    units: Sequence[str], events: Sequence[str], records: Sequence[Any]
) -> tuple[CoverageRow, ...]:
    """Every unit × event, including events a unit never covered (what it leaves out is framing too)."""
    outlets_of: dict[str, set[str]] = {u: set() for u in units}
    covering: dict[tuple[str, str], set[str]] = {}
    n: dict[tuple[str, str], int] = {}
    for r in records:
        source = r.source_outlet or r.outlet
        outlets_of[r.outlet].add(source)
        key = (r.outlet, r.event)
        covering.setdefault(key, set()).add(source)
        n[key] = n.get(key, 0) + r.weight
    return tuple(
        CoverageRow(u, e, n.get((u, e), 0), len(covering.get((u, e), ())), len(outlets_of[u]))
        for u in units
        for e in events
    )
