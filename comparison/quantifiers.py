"""Article-level quantifiers measured against the unit-level calibration (``classifiers.correction_eval``).

Each corrects one unit's prevalence from aggregates only (a count or a sum of calibrated
probabilities per unit, sums and sums of squares from the validation sample) and returns a
``CorrectedShare``. All assume what ``comparison.unit_calibration`` does not: that the classifier's
article-level behaviour given the truth is the same in every unit (prior-probability shift).

- ``pcc_share``: probabilistic classify-and-count, the mean calibrated probability (Bella et al. 2010).
- ``pacc_share``: probabilistic adjusted classify-and-count, ``(mean − μ0) / (μ1 − μ0)`` with μ1, μ0
  the mean probabilities among the validation sample's true positives and negatives (Bella et al. 2010).
- ``bayes_count_share``: the posterior of the unit's true count given its labelled count, the
  validation TPR/FPR (Beta posteriors) and the beta-binomial prior of ``unit_calibration.fit_prior``.

References
----------
Bella, A., Ferri, C., Hernández-Orallo, J. & Ramírez-Quintana, M. J. (2010). Quantification via
probability estimators. IEEE International Conference on Data Mining, 737–742.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from comparison.correction import BinaryValidation, CorrectedShare, seed_for
from comparison.errors import InvalidParameterError
from comparison.stats import check_confidence_level

PCC_METHOD = "probabilistic classify-and-count (mean calibrated probability; normal interval)"
PACC_METHOD = "probabilistic adjusted classify-and-count (validation mean probabilities; Monte Carlo)"
BAYES_COUNT_METHOD = "Bayesian misclassification model (labelled count, validation TPR/FPR, learnt prior)"
MAX_BAYES_COUNT_N = 2000  # its likelihood is quadratic in n: an evaluation tool, not for large units


@dataclass(frozen=True)
class ScoreValidation:
    """Sums of one frame's calibrated probabilities among the validation sample's true positives/negatives."""

    n_positive: int
    sum_positive: float
    sumsq_positive: float
    n_negative: int
    sum_negative: float
    sumsq_negative: float

    def moments(self, positive: bool) -> tuple[float, float, int]:
        """Mean, variance and count of the probabilities of one class."""
        n, s, ss = (
            (self.n_positive, self.sum_positive, self.sumsq_positive)
            if positive
            else (self.n_negative, self.sum_negative, self.sumsq_negative)
        )
        if n == 0:
            raise InvalidParameterError("the validation sample has no article of this class")
        mean = s / n
        return mean, max(ss / n - mean**2, 1e-4), n


def _check(n: int, confidence_level: float) -> float:
    check_confidence_level(confidence_level)
    if n <= 0:
        raise InvalidParameterError(f"need n > 0 articles (n {n})")
    return (1 - confidence_level) / 2


def _unit_sd(score_sum: float, score_sumsq: float, n: int) -> float:
    mean = score_sum / n
    return float(np.sqrt(max(score_sumsq / n - mean**2, 1e-4) / n)) if n > 1 else 0.5


def pcc_share(
    score_sum: float, score_sumsq: float, n: int, *, confidence_level: float = 0.95
) -> CorrectedShare:
    """Mean calibrated probability with a normal interval from the unit's own spread."""
    alpha = _check(n, confidence_level)
    mean, sd = score_sum / n, _unit_sd(score_sum, score_sumsq, n)
    z = stats.norm.ppf(1 - alpha)
    low, high = max(0.0, mean - z * sd), min(1.0, mean + z * sd)
    return CorrectedShare(mean, low, high, confidence_level, PCC_METHOD, 0)


def pacc_share(
    score_sum: float,
    score_sumsq: float,
    n: int,
    validation: ScoreValidation,
    *,
    confidence_level: float = 0.95,
    n_draws: int = 4000,
    random_state: int = 0,
    key: str = "",
) -> CorrectedShare:
    """``(mean − μ0) / (μ1 − μ0)`` clipped to [0, 1]; draws of the unit mean and of μ1, μ0."""
    alpha = _check(n, confidence_level)
    m1, v1, n1 = validation.moments(True)
    m0, v0, n0 = validation.moments(False)
    rng = seed_for(random_state, "pacc", key)
    mean = score_sum / n
    unit = rng.normal(mean, _unit_sd(score_sum, score_sumsq, n), n_draws)
    mu1 = rng.normal(m1, np.sqrt(v1 / n1), n_draws)
    mu0 = rng.normal(m0, np.sqrt(v0 / n0), n_draws)
    draws = np.clip((unit - mu0) / np.maximum(mu1 - mu0, 0.02), 0, 1)
    low, high = np.quantile(draws, [alpha, 1 - alpha])
    point = float(np.clip((mean - m0) / max(m1 - m0, 0.02), 0, 1))
    return CorrectedShare(point, float(low), float(high), confidence_level, PACC_METHOD, n_draws, draws)


def bayes_count_share(
    count: int,
    n: int,
    validation: BinaryValidation,
    prior: tuple[float, float],
    *,
    confidence_level: float = 0.95,
    n_draws: int = 200,
    random_state: int = 0,
) -> CorrectedShare:
    """Posterior median and equal-tailed interval of the true share of ``n`` articles.

    ``prior`` is ``(mean, concentration)`` of the beta-binomial prior; the likelihood
    ``P(count | K) = Σ_j Bin(j; K, TPR) Bin(count − j; n − K, FPR)`` is averaged over ``n_draws``
    Jeffreys Beta draws of (TPR, FPR).
    """
    alpha = _check(n, confidence_level)
    if not 0 <= count <= n or n > MAX_BAYES_COUNT_N:
        raise InvalidParameterError(f"need 0 <= count <= n <= {MAX_BAYES_COUNT_N} (count {count}, n {n})")
    tpr, fpr = validation.draws(n_draws, seed_for(random_state, "bayes-count"))
    j = np.arange(count + 1)[:, None]
    likelihood = np.array(
        [
            (stats.binom.pmf(j, k, tpr) * stats.binom.pmf(count - j, n - k, fpr)).sum(axis=0).mean()
            for k in range(n + 1)
        ]
    )
    mean, kappa = prior
    posterior = likelihood * stats.betabinom.pmf(np.arange(n + 1), n, mean * kappa, (1 - mean) * kappa)
    cdf = np.cumsum(posterior / posterior.sum())

    def quantile(q: float) -> float:
        return float(min(np.searchsorted(cdf, q - 1e-12), n) / n)

    return CorrectedShare(
        quantile(0.5), quantile(alpha), quantile(1 - alpha), confidence_level, BAYES_COUNT_METHOD, 0
    )
