"""Inter-coder reliability: Krippendorff's alpha (nominal) with a seeded bootstrap interval.

Data are ``{coder: {unit: value}}`` mappings; a unit a coder did not code is simply absent (or
``None``). Only *pairable* values count: values of units coded by at least two coders.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import krippendorff
import numpy as np

from comparison.errors import InvalidParameterError
from comparison.stats import ConfidenceInterval, check_confidence_level

#: Krippendorff (2004, p. 241): rely on variables with alpha >= .800; consider .667 <= alpha < .800
#: only for tentative conclusions; discard data below .667.
ALPHA_ACCEPTABLE = 0.8
ALPHA_TENTATIVE = 0.667
Codes = Mapping[str, Mapping[Hashable, Hashable | None]]
#: Resample x unit weights built at once by the bootstrap (~16 MB of int64).
_BOOTSTRAP_CELLS = 2_000_000


def reliability_matrix(
    codes: Codes,
) -> tuple[tuple[str, ...], tuple[Hashable, ...], list[list[Hashable | None]]]:
    """Coders x units table (``None`` where a coder did not code a unit); units in first-seen order."""
    coders = tuple(codes)
    units = tuple(dict.fromkeys(u for coder in coders for u, v in codes[coder].items() if v is not None))
    return coders, units, [[codes[c].get(u) for u in units] for c in coders]


def nominal_alpha(matrix: Sequence[Sequence[Hashable | None]]) -> float:
    """Krippendorff's alpha for nominal data, computed by the ``krippendorff`` package.

    ``matrix`` is coders x units; ``None`` is a missing value. Raises ``InvalidParameterError`` when
    alpha is undefined (fewer than two distinct pairable values: no variation to disagree about).
    """
    values = sorted({v for row in matrix for v in row if v is not None}, key=repr)
    index = {v: i for i, v in enumerate(values)}
    data = np.array([[np.nan if v is None else index[v] for v in row] for row in matrix], dtype=float)
    if len(values) < 2:
        raise InvalidParameterError("alpha is undefined: the coders used only one value")
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def _unit_coincidences(matrix: Sequence[Sequence[Hashable | None]]) -> tuple[np.ndarray, np.ndarray]:
    """Per pairable unit: its coincidence matrix (flattened) and its ordered value pairs / agreeing pairs."""
    values = sorted({v for row in matrix for v in row if v is not None}, key=repr)
    index = {v: i for i, v in enumerate(values)}
    blocks, pairs = [], []
    for column in zip(*matrix, strict=True):
        counts = np.zeros(len(values))
        for v in column:
            if v is not None:
                counts[index[v]] += 1
        m = counts.sum()
        if m < 2:
            continue
        blocks.append(((np.outer(counts, counts) - np.diag(counts)) / (m - 1)).ravel())
        pairs.append((m * (m - 1), float((counts * (counts - 1)).sum())))
    return np.array(blocks).reshape(len(blocks), len(values) ** 2), np.array(pairs).reshape(len(pairs), 2)


def _alphas(coincidences: np.ndarray, n_values: int) -> np.ndarray:
    """Alpha for each row of summed, flattened coincidence matrices (NaN where undefined)."""
    o = coincidences.reshape(-1, n_values, n_values)
    n_c = o.sum(axis=2)
    n = n_c.sum(axis=1)
    observed = n - np.trace(o, axis1=1, axis2=2)
    expected = (n**2 - (n_c**2).sum(axis=1)) / np.maximum(n - 1, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, 1 - observed / expected, np.nan)


@dataclass(frozen=True)
class AgreementResult:
    """Krippendorff's alpha (nominal) for one variable, with its bootstrap distribution.

    ``alpha`` is ``None`` when it is undefined (every pairable value the same); ``note`` says why.
    ``percent_agreement`` is the share of agreeing ordered pairs of values within units.
    """

    variable: str
    category: str | None
    coders: tuple[str, ...]
    alpha: float | None
    percent_agreement: float | None
    n_units: int
    n_values: int
    n_resamples: int
    confidence_level: float = 0.95
    note: str | None = None
    bootstrap: tuple[float, ...] = field(default=(), repr=False)
    method: str = "Krippendorff's alpha (nominal), percentile bootstrap over units"

    @property
    def statistic(self) -> float | None:
        return self.alpha

    @property
    def flag(self) -> str | None:
        """``unacceptable`` (< .667), ``tentative`` (< .800) or ``acceptable``; None without alpha."""
        if self.alpha is None:
            return None
        if self.alpha < ALPHA_TENTATIVE:
            return "unacceptable"
        return "tentative" if self.alpha < ALPHA_ACCEPTABLE else "acceptable"

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval | None:
        """Percentile interval of the bootstrap alphas (None without alpha or resamples)."""
        level = self.confidence_level if confidence_level is None else confidence_level
        check_confidence_level(level)
        if self.alpha is None or not self.bootstrap:
            return None
        low, high = np.quantile(self.bootstrap, [(1 - level) / 2, (1 + level) / 2])
        return ConfidenceInterval(float(low), float(high))

    def row(self) -> dict[str, Any]:
        interval = self.confidence_interval()
        return {
            "variable": self.variable,
            "category": self.category,
            "coders": ",".join(self.coders),
            "n_coders": len(self.coders),
            "n_units": self.n_units,
            "n_values": self.n_values,
            "alpha": self.alpha,
            "ci_low": interval.low if interval else None,
            "ci_high": interval.high if interval else None,
            "confidence_level": self.confidence_level,
            "n_resamples": len(self.bootstrap),
            "percent_agreement": self.percent_agreement,
            "flag": self.flag,
            "note": self.note,
        }


def agreement(
    codes: Codes,
    *,
    variable: str,
    category: str | None = None,
    n_resamples: int = 1000,
    confidence_level: float = 0.95,
    random_state: int | np.random.Generator | None = 0,
) -> AgreementResult:
    """Krippendorff's alpha (nominal) among the coders of ``codes``, with a bootstrap interval.

    Parameters
    ----------
    codes : mapping of coder -> {unit: value}
        Values are any hashable labels; ``None`` or an absent unit is a missing value.
    variable, category : str
        What the values are (e.g. ``"frame"``, ``"economic-cost"``), copied to the result.
    n_resamples : int
        Bootstrap resamples (0: no interval). ``random_state`` seeds them.

    Notes
    -----
    The point estimate is the ``krippendorff`` package's. The interval resamples pairable units
    with replacement (percentile bootstrap, Hayes & Krippendorff 2007 resample values instead)
    and recomputes alpha from the summed per-unit coincidence matrices; resamples in which alpha
    is undefined (one value only) are dropped, so ``n_resamples`` in ``row()`` may be lower.
    Units are assumed to be a random sample of the population of units.

    References
    ----------
    Krippendorff, K. (2004). *Content Analysis: An Introduction to Its Methodology* (2nd ed.), ch. 11.
    Hayes, A. F., & Krippendorff, K. (2007). Answering the call for a standard reliability measure
    for coding data. *Communication Methods and Measures*, 1(1), 77-89.
    """
    if n_resamples < 0:
        raise InvalidParameterError(f"n_resamples must be >= 0, got {n_resamples}")
    check_confidence_level(confidence_level)
    coders, _units, matrix = reliability_matrix(codes)
    blocks, pairs = _unit_coincidences(matrix)
    n_units, n_values = len(blocks), int(round(float(blocks.sum())))
    common = {"variable": variable, "category": category, "coders": coders, "n_resamples": n_resamples}
    common |= {"confidence_level": confidence_level, "n_units": n_units, "n_values": n_values}
    if n_units == 0:
        return AgreementResult(
            **common, alpha=None, percent_agreement=None, note="no unit has two coders' values"
        )
    percent = float(pairs[:, 1].sum() / pairs[:, 0].sum())
    pairable = [[row[j] for j, col in enumerate(zip(*matrix, strict=True)) if _n(col) >= 2] for row in matrix]
    try:
        alpha = nominal_alpha(pairable)
    except InvalidParameterError:
        note = "alpha is undefined: every pairable value is the same (no variation)"
        return AgreementResult(**common, alpha=None, percent_agreement=percent, note=note)
    rng = np.random.default_rng(random_state)
    size = int(round(np.sqrt(blocks.shape[1])))
    kept: list[float] = []
    step = max(1, _BOOTSTRAP_CELLS // n_units)  # resamples per chunk: memory stays bounded
    for start in range(0, n_resamples, step):
        weights = rng.multinomial(n_units, np.full(n_units, 1 / n_units), size=min(step, n_resamples - start))
        resampled = _alphas(weights @ blocks, size)
        kept.extend(float(a) for a in resampled[~np.isnan(resampled)])
    return AgreementResult(**common, alpha=alpha, percent_agreement=percent, bootstrap=tuple(kept))


def _n(column: Sequence[Hashable | None]) -> int:
    return sum(v is not None for v in column)
