"""Tests of independence on outlet × category contingency tables (chi-square, Fisher, Monte Carlo)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from comparison.errors import DegenerateTableError, InvalidParameterError

CHI_SQUARE = "chi-square"
FISHER_EXACT = "fisher-exact"
MONTE_CARLO = "monte-carlo-chi-square"


@dataclass(frozen=True)
class IndependenceTestResult:
    """A test of independence on an r × c contingency table.

    ``statistic`` is always Pearson's X² (without continuity correction) so rows from different
    methods share a column; ``pvalue`` comes from ``method``. ``effect_size`` is Cramér's V.
    """

    statistic: float
    pvalue: float
    df: int
    method: str
    effect_size: float
    n: int
    min_expected: float
    share_expected_below_5: float
    odds_ratio: float | None = None
    n_resamples: int | None = None

    @property
    def cramers_v(self) -> float:
        return self.effect_size

    def summary(self) -> str:
        text = (
            f"{self.method}: X2={self.statistic:.3f}, df={self.df}, p={self.pvalue:.4g}, "
            f"Cramer's V={self.effect_size:.3f}, n={self.n}, min expected={self.min_expected:.2f}"
        )
        if self.n_resamples:
            text += f", {self.n_resamples} resamples"
        return text

    def __str__(self) -> str:
        return self.summary()


def _pearson(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """X² along the last two axes (broadcasts over a leading axis of simulated tables)."""
    return ((observed - expected) ** 2 / expected).sum(axis=(-2, -1))


def _simulate_tables(table: np.ndarray, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Tables with both margins fixed, drawn from their exact conditional law under independence.

    Column by column, each row's count is a univariate hypergeometric draw from what is left
    (the "marginals" construction of the multivariate hypergeometric), vectorised over resamples:
    cost is O(rows × columns) numpy calls whatever the number of articles.
    """
    rows = table.sum(axis=1)
    cols = table.sum(axis=0)
    r, c = table.shape
    remaining = np.tile(rows.astype(np.int64), (n_resamples, 1))
    out = np.zeros((n_resamples, r, c), dtype=np.int64)
    for j in range(c - 1):
        need = np.full(n_resamples, cols[j], dtype=np.int64)
        pool_after = remaining.sum(axis=1)
        for k in range(r - 1):
            pool_after = pool_after - remaining[:, k]
            drawn = rng.hypergeometric(remaining[:, k], pool_after, need)
            out[:, k, j] = drawn
            remaining[:, k] -= drawn
            need -= drawn
        out[:, r - 1, j] = need
        remaining[:, r - 1] -= need
    out[:, :, c - 1] = remaining
    return out


def independence_test(
    table: ArrayLike, *, n_resamples: int = 9999, random_state: int | np.random.Generator | None = 0
) -> IndependenceTestResult:
    """Test whether the rows of a contingency table (outlets) share one column distribution.

    The method is chosen by the expected counts, so small outlets do not produce a chi-square
    p-value the asymptotics cannot back:

    * every expected count ≥ 1 and at most 20 % below 5 (Cochran's rule) — Pearson chi-square;
    * a 2 × 2 table with any expected count below 5 — Fisher's exact test (two-sided);
    * a larger table with small expected counts — Monte Carlo chi-square: ``n_resamples`` tables
      drawn with both margins fixed (the exact conditional law under independence), p-value
      ``(1 + #{X²_sim ≥ X²_obs}) / (n_resamples + 1)`` (Davison & Hinkley 1997; R's
      ``chisq.test(simulate.p.value=TRUE)``). ``random_state`` fixes the draws, so the same
      table always gives the same p-value.

    Notes
    -----
    Assumes articles are independent draws within each outlet. Articles from one outlet about one
    event are often correlated (follow-ups, rewrites), so p-values are optimistic; treat them as
    screening, not proof. Rows or columns that are entirely zero make the test undefined and raise
    :class:`DegenerateTableError`.

    References
    ----------
    Cochran, W. G. (1954). Some methods for strengthening the common χ² tests. Biometrics 10, 417–451.
    Cramér, H. (1946). Mathematical Methods of Statistics. Princeton University Press.
    """
    t = np.asarray(table)
    if t.ndim != 2 or t.shape[0] < 2 or t.shape[1] < 2:
        raise InvalidParameterError(f"table must be 2-D with at least 2 rows and 2 columns; got {t.shape}")
    if (t < 0).any() or not np.allclose(t, np.round(t)):
        raise InvalidParameterError("table must hold non-negative integer counts")
    t = np.round(t).astype(np.int64)
    rows, cols = t.sum(axis=1), t.sum(axis=0)
    if (rows == 0).any() or (cols == 0).any():
        raise DegenerateTableError("a row or column of the table is empty; independence is untestable")
    n = int(t.sum())
    expected = np.outer(rows, cols) / n
    chi2 = float(_pearson(t, expected))
    df = (t.shape[0] - 1) * (t.shape[1] - 1)
    cramers_v = math.sqrt(chi2 / (n * (min(t.shape) - 1)))
    min_expected = float(expected.min())
    share_small = float((expected < 5).mean())
    common = dict(
        statistic=chi2,
        df=df,
        effect_size=min(1.0, cramers_v),
        n=n,
        min_expected=min_expected,
        share_expected_below_5=share_small,
    )
    if min_expected >= 1.0 and share_small <= 0.2 and not (t.shape == (2, 2) and min_expected < 5):
        return IndependenceTestResult(pvalue=float(stats.chi2.sf(chi2, df)), method=CHI_SQUARE, **common)
    if t.shape == (2, 2):
        res = stats.fisher_exact(t, alternative="two-sided")
        odds = float(res.statistic)
        return IndependenceTestResult(
            pvalue=float(min(1.0, res.pvalue)),
            method=FISHER_EXACT,
            odds_ratio=odds if math.isfinite(odds) else None,
            **common,
        )
    if n_resamples < 1:
        raise InvalidParameterError("n_resamples must be at least 1")
    rng = np.random.default_rng(random_state)
    simulated = _pearson(_simulate_tables(t, n_resamples, rng), expected)
    n_extreme = int((simulated >= chi2 - 1e-9 * max(1.0, chi2)).sum())
    pvalue = (1 + n_extreme) / (n_resamples + 1)
    return IndependenceTestResult(pvalue=pvalue, method=MONTE_CARLO, n_resamples=n_resamples, **common)


def prevalence_test(
    n_present: ArrayLike,
    n_articles: ArrayLike,
    *,
    n_resamples: int = 9999,
    random_state: int | np.random.Generator | None = 0,
) -> IndependenceTestResult:
    """Does a frame's prevalence differ across outlets? Tests the outlet × (present, absent) table.

    ``n_present[i]`` of ``n_articles[i]`` articles of outlet ``i`` use the frame. See
    :func:`independence_test` for how the method is chosen.
    """
    present = np.asarray(n_present, dtype=np.int64)
    total = np.asarray(n_articles, dtype=np.int64)
    if present.shape != total.shape or present.ndim != 1:
        raise InvalidParameterError("n_present and n_articles must be 1-D of equal length")
    if (present > total).any() or (present < 0).any():
        raise InvalidParameterError("n_present must lie in [0, n_articles]")
    return independence_test(
        np.column_stack([present, total - present]), n_resamples=n_resamples, random_state=random_state
    )
