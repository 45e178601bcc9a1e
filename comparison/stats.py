"""Low-level statistics: Wilson intervals, Jensen–Shannon divergence, tests of independence, BH.

Each function validates its input and raises a :class:`~comparison.errors.ComparisonError`
subclass instead of returning NaN (STYLE rule 16).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

from comparison.errors import DegenerateTableError, InvalidParameterError, NotEnoughDataError

CHI_SQUARE = "chi-square"
FISHER_EXACT = "fisher-exact"
MONTE_CARLO = "monte-carlo-chi-square"
BH_METHOD = "fdr_bh"


class ConfidenceInterval(NamedTuple):
    """A named ``(low, high)`` pair, as scipy returns it."""

    low: float
    high: float


def _check_level(confidence_level: float) -> None:
    if not 0.0 < confidence_level < 1.0:
        raise InvalidParameterError(f"confidence_level must be in (0, 1), got {confidence_level!r}")


def wilson_interval(count: int, n: int, confidence_level: float = 0.95) -> ConfidenceInterval:
    """Wilson score interval for a binomial proportion ``count / n``.

    Chosen over the Wald interval because it stays inside [0, 1] and keeps its coverage
    for the small samples and extreme proportions typical of one outlet's coverage of one event.

    Notes
    -----
    Assumes the ``n`` articles are independent Bernoulli trials with a common probability.
    Matches ``statsmodels.stats.proportion.proportion_confint(method="wilson")``.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. JASA 22(158), 209–212.
    """
    _check_level(confidence_level)
    if n <= 0:
        raise NotEnoughDataError("a proportion needs at least one observation (n = 0)")
    if not 0 <= count <= n:
        raise InvalidParameterError(f"count must be in [0, n]; got count={count}, n={n}")
    z = float(stats.norm.isf((1.0 - confidence_level) / 2.0))
    p = count / n
    z2n = z * z / n
    centre = (p + z2n / 2.0) / (1.0 + z2n)
    half = z / (1.0 + z2n) * math.sqrt(p * (1.0 - p) / n + z2n / (4.0 * n))
    return ConfidenceInterval(max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Proportion:
    """``count`` of ``n`` with a Wilson interval at ``confidence_level``."""

    count: int
    n: int
    confidence_level: float = 0.95

    @property
    def estimate(self) -> float:
        return self.count / self.n

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Wilson interval; defaults to the level the result was computed at."""
        level = self.confidence_level if confidence_level is None else confidence_level
        return wilson_interval(self.count, self.n, level)

    def summary(self) -> str:
        low, high = self.confidence_interval()
        return f"{self.count}/{self.n} = {self.estimate:.3f} [{low:.3f}, {high:.3f}]"

    def __str__(self) -> str:
        return self.summary()


def jensen_shannon_divergence(p: ArrayLike, q: ArrayLike, base: float = 2.0) -> float:
    """Jensen–Shannon divergence between two discrete distributions.

    Inputs are normalised to sum to one. With ``base=2`` the divergence lies in [0, 1]:
    0 for identical distributions, 1 for disjoint supports. This is the *divergence*; scipy's
    ``jensenshannon`` returns its square root (the distance).
    """
    pa = np.asarray(p, dtype=float)
    qa = np.asarray(q, dtype=float)
    if pa.shape != qa.shape or pa.ndim != 1:
        raise InvalidParameterError(f"p and q must be 1-D of equal length; got {pa.shape} and {qa.shape}")
    if (pa < 0).any() or (qa < 0).any():
        raise InvalidParameterError("distributions must be non-negative")
    if pa.sum() <= 0 or qa.sum() <= 0:
        raise NotEnoughDataError("a distribution with total mass 0 has no divergence")
    pa = pa / pa.sum()
    qa = qa / qa.sum()
    m = (pa + qa) / 2.0
    js = (special.rel_entr(pa, m).sum() + special.rel_entr(qa, m).sum()) / 2.0
    upper = math.log(2.0) / math.log(base)  # the maximum, reached for disjoint supports
    return float(min(upper, max(0.0, js / math.log(base))))


@dataclass(frozen=True)
class MultipleTestingResult:
    """Raw and adjusted p-values, in the input order, with the correction method named."""

    pvalues: tuple[float, ...]
    pvalues_adjusted: tuple[float, ...]
    reject: tuple[bool, ...]
    alpha: float
    method: str = BH_METHOD

    def summary(self) -> str:
        lines = [f"{self.method} at alpha={self.alpha}", "   raw p  adjusted p  reject"]
        rows = zip(self.pvalues, self.pvalues_adjusted, self.reject, strict=True)
        lines += [f"{p:8.4g}  {a:10.4g}  {r}" for p, a, r in rows]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def benjamini_hochberg(pvalues: ArrayLike, alpha: float = 0.05) -> MultipleTestingResult:
    """Benjamini–Hochberg step-up adjustment controlling the false discovery rate.

    Used across frames because a researcher scans all frames for differences; FDR control keeps
    the share of false "this frame differs" claims at ``alpha`` without Bonferroni's loss of power.

    Notes
    -----
    Valid for independent or positively dependent tests. Matches
    ``statsmodels.stats.multitest.multipletests(method="fdr_bh")``.

    References
    ----------
    Benjamini, Y. & Hochberg, Y. (1995). JRSS B 57(1), 289–300.
    """
    p = np.asarray(pvalues, dtype=float)
    if p.ndim != 1:
        raise InvalidParameterError("pvalues must be one-dimensional")
    if ((p < 0) | (p > 1) | np.isnan(p)).any():
        raise InvalidParameterError("p-values must lie in [0, 1]")
    m = p.size
    if m == 0:
        return MultipleTestingResult((), (), (), alpha)
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted_sorted = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    adjusted = np.empty(m)
    adjusted[order] = adjusted_sorted
    return MultipleTestingResult(
        tuple(float(x) for x in p),
        tuple(float(x) for x in adjusted),
        tuple(bool(x) for x in adjusted <= alpha),
        alpha,
    )


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
