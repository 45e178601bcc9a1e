"""Corrected prevalence calibrated where it is reported: across units (events, outlets), not articles.

Why not the adjusted count alone: Rogan–Gladen (``comparison.correction``) assumes the classifier
errs at the same rates in every unit (prior-probability shift: ``P(label | truth)`` is constant).
On the validation events it is not: the model's false positives concentrate in events where the
frame is present, so an event's labelled share tracks the coders' share with slope ~0.9 and
intercept ~0.01 — not ``TPR − FPR`` (~0.7) and ``FPR`` (~0.1) as the article-level rates say, and
dividing by ``TPR − FPR`` over-corrects. This module fits the relation at the unit level instead
(a measurement-error model, Carroll et al. 2006) and reads it backwards with Bayes' rule:

    K | n      ~ BetaBinomial(n, m_f κ, (1 − m_f) κ)                      prior (true count of n)
    k/n | K    ~ Normal(a + b·p, (s_n²/n + s_e²)·(p(1 − p) + ε)),  p = K/n   measurement

``a, b, s_n, s_e, ε`` (pooled over frames) are fitted by maximum likelihood on the validation units
(coded and labelled counts per unit × frame); the prior mean ``m_f`` per frame and one concentration
``κ`` by beta-binomial maximum likelihood over the same units. The validation uncertainty comes
from refitting on cluster-bootstrap resamples of the units; the posterior of ``K/n`` is averaged
over the refits. The point is the posterior median (the Bayes estimate under absolute error), the
interval its equal-tailed quantiles. Only ``(count, n)`` of a unit is needed, so stored or
SQL-aggregated rows can be corrected as they are.

References
----------
Carroll, R. J., Ruppert, D., Stefanski, L. A. & Crainiceanu, C. M. (2006). Measurement Error in
Nonlinear Models, 2nd ed. Chapman & Hall/CRC (regression calibration, ch. 4; Bayesian, ch. 9).
Efron, B. & Tibshirani, R. (1993). An Introduction to the Bootstrap, ch. 8 (resampling clusters).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, special, stats

from comparison.correction import N_DRAWS, CorrectedShare, CorrectionError, seed_for
from comparison.errors import InvalidParameterError
from comparison.stats import check_confidence_level

UNIT_METHOD = (
    "unit-level measurement-error calibration (Bayesian; prior and labelled-vs-coded relation fitted "
    "on {n_units} validation units, bootstrap over units); posterior median, equal-tailed interval"
)
MIN_UNITS = 3  # fewer validation units cannot identify a slope across units
N_REFITS = 100
MAX_GRID = 2001  # larger units are evaluated on this many evenly spaced counts
# bounds of (a, b, log s_n², log s_e², log ε): a degenerate variance sits on a bound, not at -inf
_BOUNDS = [(-1.0, 1.0), (-1.0, 3.0), (-12.0, 3.0), (-12.0, 3.0), (-8.0, 4.0)]
_START = np.array([0.0, 1.0, np.log(0.05), np.log(0.05), np.log(0.1)])


@dataclass(frozen=True)
class ValidationUnit:
    """One validation unit × frame: ``n`` articles, ``labelled`` by the model, ``coded`` by coders."""

    unit: str
    frame: str
    n: int
    labelled: int
    coded: int


def _arrays(units: Sequence[ValidationUnit]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = np.array([u.n for u in units], float)
    return np.array([u.labelled for u in units]) / n, np.array([u.coded for u in units]) / n, n


def _log_likelihood(theta: np.ndarray, r: np.ndarray, p: np.ndarray, n: np.ndarray) -> np.ndarray:
    a, b, log_sn, log_se, log_eps = theta
    var = (np.exp(log_sn) / n + np.exp(log_se)) * (p * (1 - p) + np.exp(log_eps))
    return -0.5 * (np.log(var) + (r - a - b * p) ** 2 / var)


def _negative_log_likelihood(
    theta: np.ndarray, r: np.ndarray, p: np.ndarray, n: np.ndarray
) -> tuple[float, np.ndarray]:
    """The negative log-likelihood summed over units, and its gradient."""
    a, b, log_sn, log_se, log_eps = theta
    shape = p * (1 - p) + np.exp(log_eps)
    scale = np.exp(log_sn) / n + np.exp(log_se)
    var = scale * shape
    e = r - a - b * p
    d_var = 0.5 * (var - e**2) / var**2  # d(-loglik)/d(var)
    grad = [
        -np.sum(e / var),
        -np.sum(e * p / var),
        np.sum(d_var * np.exp(log_sn) / n * shape),
        np.sum(d_var * np.exp(log_se) * shape),
        np.sum(d_var * scale * np.exp(log_eps)),
    ]
    return 0.5 * float(np.sum(np.log(var) + e**2 / var)), np.array(grad)


def fit_measurement(units: Sequence[ValidationUnit], start: np.ndarray = _START) -> np.ndarray:
    """Maximum-likelihood ``(a, b, log s_n², log s_e², log ε)`` of labelled given coded shares."""
    r, p, n = _arrays(units)
    result = optimize.minimize(
        _negative_log_likelihood, start, args=(r, p, n), jac=True, method="SLSQP", bounds=_BOUNDS
    )
    if not np.all(np.isfinite(result.x)):
        raise CorrectionError("the unit-level measurement model did not converge on these units")
    return result.x


def fit_prior(units: Sequence[ValidationUnit]) -> tuple[dict[str, float], float]:
    """Per-frame mean prevalence and one pooled beta-binomial concentration over all unit × frames."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for u in units:
        totals[u.frame][0] += u.coded
        totals[u.frame][1] += u.n
    means = {f: (c + 0.5) / (n + 1) for f, (c, n) in totals.items()}
    m = np.array([means[u.frame] for u in units])
    k = np.array([u.coded for u in units])
    n = np.array([u.n for u in units])

    def nll(log_kappa: float) -> float:
        kappa = np.exp(log_kappa)
        a, b = m * kappa, (1 - m) * kappa
        return -float(np.sum(special.betaln(k + a, n - k + b) - special.betaln(a, b)))

    best = optimize.minimize_scalar(nll, bounds=(np.log(0.05), np.log(1000.0)), method="bounded")
    return means, float(np.exp(best.x))


@dataclass(frozen=True)
class UnitCalibration:
    """A fitted unit-level calibration: bootstrap refits of the measurement model, and the prior."""

    refits: np.ndarray = field(repr=False, compare=False)  # (n_refits, 5)
    estimate: tuple[float, ...]  # maximum likelihood on all units: reported, and where refits start
    prior_means: Mapping[str, float]
    prior_concentration: float
    n_units: int

    @property
    def method(self) -> str:
        return UNIT_METHOD.format(n_units=self.n_units)

    def posterior(self, count: int, n: int, frame: str) -> tuple[np.ndarray, np.ndarray]:
        """Grid of true counts and the posterior weights per refit, shape (n_refits, len(grid))."""
        if frame not in self.prior_means:
            raise CorrectionError(f"the validation units have no figures for frame {frame!r}")
        grid = np.arange(n + 1) if n < MAX_GRID else np.unique(np.rint(np.linspace(0, n, MAX_GRID)))
        p = grid / n
        m, kappa = self.prior_means[frame], self.prior_concentration
        log_prior = stats.betabinom.logpmf(grid, n, m * kappa, (1 - m) * kappa)
        log_post = log_prior + _log_likelihood(self.refits.T[:, :, None], count / n, p, n)
        weights = np.exp(log_post - log_post.max(axis=1, keepdims=True))
        return grid, weights / weights.sum(axis=1, keepdims=True)

    def to_dict(self) -> dict:
        return {
            "estimate": dict(zip(("a", "b", "log_sn2", "log_se2", "log_eps"), self.estimate, strict=True)),
            "prior_means": dict(self.prior_means),
            "prior_concentration": self.prior_concentration,
            "n_units": self.n_units,
            "n_refits": len(self.refits),
        }


def fit_unit_calibration(
    units: Sequence[ValidationUnit], *, n_refits: int = N_REFITS, random_state: int = 0
) -> UnitCalibration:
    """Fit the calibration on validation units (see the module docstring).

    Raises
    ------
    CorrectionError
        With fewer than ``MIN_UNITS`` distinct units, or when every unit has the same coded share
        (no slope across units can be fitted).
    """
    units = [u for u in units if u.n > 0]
    if any(not 0 <= u.labelled <= u.n or not 0 <= u.coded <= u.n for u in units):
        raise InvalidParameterError("validation unit counts must lie in [0, n]")
    names = sorted({u.unit for u in units})
    if len(names) < MIN_UNITS:
        raise CorrectionError(
            f"{len(names)} validation unit(s); a unit-level calibration needs at least {MIN_UNITS} "
            "(events or outlets of the coded articles)"
        )
    if len({u.coded / u.n for u in units}) < 2:
        raise CorrectionError("every validation unit has the same coded share: no slope can be fitted")
    by_unit: dict[str, list[ValidationUnit]] = defaultdict(list)
    for u in units:
        by_unit[u.unit].append(u)
    estimate = fit_measurement(units)
    rng = seed_for(random_state, "unit-calibration")
    refits = []
    for _ in range(n_refits):
        picked = rng.integers(len(names), size=len(names))
        refits.append(fit_measurement([u for i in picked for u in by_unit[names[i]]], estimate))
    means, kappa = fit_prior(units)
    return UnitCalibration(np.array(refits), tuple(float(x) for x in estimate), means, kappa, len(names))


def calibrated_share(
    count: int,
    n: int,
    frame: str,
    calibration: UnitCalibration,
    *,
    confidence_level: float = 0.95,
    n_draws: int = N_DRAWS,
    random_state: int = 0,
    refit_index: np.ndarray | None = None,
    key: str = "",
) -> CorrectedShare:
    """Posterior median and equal-tailed interval of the share of ``n`` articles truly using ``frame``.

    ``refit_index`` (one refit per draw) lets several rows share the validation uncertainty, as in
    ``correct_share``; ``key`` seeds the row's own draws. The draws serve differences between rows.

    Notes
    -----
    The target is the share of *these* articles the coders would code with the frame. The model
    assumes the analysed units relate to the validation units as those relate to each other
    (exchangeable units): another conflict, language or kind of outlet may break it.
    """
    check_confidence_level(confidence_level)
    if n <= 0 or not 0 <= count <= n:
        raise InvalidParameterError(f"need 0 <= count <= n and n > 0 (count {count}, n {n})")
    grid, weights = calibration.posterior(count, n, frame)
    marginal = np.cumsum(weights.mean(axis=0))
    alpha = (1 - confidence_level) / 2

    def quantile(q: float) -> float:
        return float(grid[min(np.searchsorted(marginal, q - 1e-12), len(grid) - 1)] / n)

    if refit_index is None:
        refit_index = refit_draws(calibration, n_draws, random_state)
    uniform = seed_for(random_state, "unit-share", key, str(count), str(n)).random(len(refit_index))
    cdf = np.cumsum(weights, axis=1)
    if len(grid) <= 64:  # small units: one comparison per draw and count
        index = (cdf[refit_index] < uniform[:, None]).sum(axis=1)
    else:
        index = np.empty(len(refit_index), int)
        for b in np.unique(refit_index):
            rows = refit_index == b
            index[rows] = np.searchsorted(cdf[b], uniform[rows])
    picked = grid[np.minimum(index, len(grid) - 1)]
    return CorrectedShare(
        quantile(0.5),
        quantile(alpha),
        quantile(1 - alpha),
        confidence_level,
        calibration.method,
        len(picked),
        picked / n,
    )


def refit_draws(calibration: UnitCalibration, n_draws: int, random_state: int) -> np.ndarray:
    """One refit index per draw, shared by every row so differences carry the validation error once."""
    return seed_for(random_state, "refits").integers(len(calibration.refits), size=n_draws)
