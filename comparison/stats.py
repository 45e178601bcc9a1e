"""Low-level statistics: Wilson intervals, Jensen–Shannon divergence, Benjamini–Hochberg.

Each function validates its input and raises a :class:`~comparison.errors.ComparisonError`
subclass instead of returning NaN (STYLE rule 16).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

from comparison.errors import InvalidParameterError, NotEnoughDataError

BH_METHOD = "fdr_bh"


class ConfidenceInterval(NamedTuple):
    """A named ``(low, high)`` pair, as scipy returns it."""

    low: float
    high: float


def check_confidence_level(confidence_level: float) -> None:
    """Refuse a level outside (0, 1): every interval and test in the package takes one."""
    if not 0.0 < confidence_level < 1.0:
        raise InvalidParameterError(f"confidence_level must be in (0, 1), got {confidence_level!r}")


@lru_cache(maxsize=64)
def _two_sided_z(confidence_level: float) -> float:
    """The normal quantile of a two-sided level: ~0.1 ms in scipy, and a comparison's rows ask for
    the same one a thousand times (1,200 intervals in one stored comparison's answer)."""
    return float(stats.norm.isf((1.0 - confidence_level) / 2.0))


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
    check_confidence_level(confidence_level)
    if n <= 0:
        raise NotEnoughDataError("a proportion needs at least one observation (n = 0)")
    if not 0 <= count <= n:
        raise InvalidParameterError(f"count must be in [0, n]; got count={count}, n={n}")
    z = _two_sided_z(confidence_level)
    p = count / n
    z2n = z * z / n
    centre = (p + z2n / 2.0) / (1.0 + z2n)
    half = z / (1.0 + z2n) * math.sqrt(p * (1.0 - p) / n + z2n / (4.0 * n))
    low = 0.0 if count == 0 else max(0.0, centre - half)  # exact ends, not rounding noise (2.8e-17)
    high = 1.0 if count == n else min(1.0, centre + half)
    return ConfidenceInterval(low, high)


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
