"""Jensen–Shannon divergence between units: each unordered pair once, with bootstrap intervals."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

from comparison.advice import ComparisonWarning
from comparison.results import format_table
from comparison.stats import jensen_shannon_divergence


@dataclass(frozen=True)
class DivergencePair:
    """JSD between two units' frame distributions, with a percentile bootstrap interval (or ``None``)."""

    outlet_a: str
    outlet_b: str
    jsd: float
    n_a: int
    n_b: int
    ci_low: float | None
    ci_high: float | None

    def row(self) -> dict[str, Any]:
        return {
            "outlet_a": self.outlet_a,
            "outlet_b": self.outlet_b,
            "jsd": self.jsd,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "n_a": self.n_a,
            "n_b": self.n_b,
        }


@dataclass(frozen=True)
class DivergenceResult:
    """Pairwise Jensen–Shannon divergence (base 2, in [0, 1]) between units' frame distributions.

    ``distribution`` names what is compared: ``"prevalence"`` — frame prevalences normalised to sum
    to one (how attention is spread over frames; an article may use several); ``"share"`` — mean
    sentence shares, normalised; ``"dominant"`` — dominant-frame counts. Each unordered pair appears
    once (a before b in sort order). Intervals resample articles within each unit
    (``n_resamples`` percentile bootstrap) and are left out when either unit has fewer than
    ``min_articles`` articles: a bootstrap of one or two articles says nothing.
    """

    outlets: tuple[str, ...]
    distribution: str
    pairs: tuple[DivergencePair, ...]
    confidence_level: float = 0.95
    n_resamples: int = 0

    def value(self, outlet_a: str, outlet_b: str) -> float:
        if outlet_a == outlet_b:
            return 0.0
        for p in self.pairs:
            if {p.outlet_a, p.outlet_b} == {outlet_a, outlet_b}:
                return p.jsd
        raise KeyError((outlet_a, outlet_b))

    @property
    def matrix(self) -> tuple[tuple[float, ...], ...]:
        return tuple(tuple(self.value(a, b) for b in self.outlets) for a in self.outlets)

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        extra = {
            "distribution": self.distribution,
            "confidence_level": self.confidence_level,
            "n_resamples": self.n_resamples,
        }
        return {"divergence": [{**p.row(), **extra} for p in self.pairs]}

    def summary(self) -> str:
        rows = [p.row() for p in self.pairs]
        return f"Jensen-Shannon divergence (base 2) of {self.distribution}\n" + format_table(
            rows, ["outlet_a", "outlet_b", "jsd", "ci_low", "ci_high", "n_a", "n_b"]
        )


def distinct_rows(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``values`` (sorted) and how many articles each stands for."""
    rows, inverse = np.unique(values, axis=0, return_inverse=True)
    return rows, np.bincount(inverse.reshape(-1), weights=weights, minlength=len(rows)).astype(np.int64)


def _resampled_sums(
    rows: np.ndarray, counts: np.ndarray, n_resamples: int, rng: np.random.Generator
) -> np.ndarray:
    """(n_resamples, n_frames) sums over bootstrap samples of ``counts.sum()`` articles.

    Drawing n articles with replacement and adding their rows is the same as drawing how many of
    them carry each distinct row (a multinomial with the rows' shares) and weighting the rows: the
    same bootstrap, with cost in distinct rows rather than articles, and the same numbers whether the
    articles came one record each or aggregated into weighted records.
    """
    n = int(counts.sum())
    draws = rng.multinomial(n, counts / n, size=n_resamples)
    return draws @ rows


def _jsd_rows(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Base-2 JSD row by row; rows where either side has no mass are NaN (dropped by the caller)."""
    ps, qs = p.sum(axis=1, keepdims=True), q.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        p, q = p / ps, q / qs
        m = (p + q) / 2
        kl = np.where(p > 0, p * np.log2(p / m), 0.0) + np.where(q > 0, q * np.log2(q / m), 0.0)
    out = np.clip(kl.sum(axis=1) / 2, 0.0, 1.0)
    out[(ps[:, 0] <= 0) | (qs[:, 0] <= 0)] = np.nan
    return out


def divergence_pairs(
    units: tuple[str, ...],
    unit_index: np.ndarray,
    values: np.ndarray,
    distribution: str,
    warnings: list[ComparisonWarning],
    *,
    min_articles: int,
    confidence_level: float,
    n_resamples: int,
    random_state: int,
    weights: np.ndarray | None = None,
) -> DivergenceResult | None:
    """JSD for each unordered pair of units with frame mass; ``values`` is (n_records, n_frames).

    ``weights`` (default: ones) says how many articles with that row each record stands for.
    """
    w = np.ones(len(unit_index), dtype=np.int64) if weights is None else weights
    sums = np.zeros((len(units), values.shape[1]))
    np.add.at(sums, unit_index, values * w[:, None])
    n = np.bincount(unit_index, weights=w, minlength=len(units)).astype(np.int64)
    usable = [i for i in range(len(units)) if sums[i].sum() > 0]
    empty = [units[i] for i in range(len(units)) if i not in usable]
    if empty:
        warnings.append(
            ComparisonWarning(
                "no_distribution",
                f"{len(empty)} unit(s) have no frame mass ({distribution}); left out of the divergence "
                "table: " + ", ".join(empty[:10]),
                items=tuple(empty),
            )
        )
    if len(usable) < 2:
        return None
    rng = np.random.default_rng(random_state)
    boot: dict[int, np.ndarray] = {}
    if n_resamples > 0:
        for i in usable:
            if n[i] >= min_articles:  # distinct rows come sorted: record order never changes the interval
                rows, counts = distinct_rows(values[unit_index == i], w[unit_index == i])
                boot[i] = _resampled_sums(rows, counts, n_resamples, rng)
    alpha = (1.0 - confidence_level) / 2
    pairs = []
    for a, b in combinations(usable, 2):
        low = high = None
        if a in boot and b in boot:
            draws = _jsd_rows(boot[a], boot[b])
            draws = draws[~np.isnan(draws)]
            if draws.size:
                low, high = (float(x) for x in np.quantile(draws, [alpha, 1 - alpha]))
        pairs.append(
            DivergencePair(
                units[a],
                units[b],
                jensen_shannon_divergence(sums[a], sums[b]),
                int(n[a]),
                int(n[b]),
                low,
                high,
            )
        )
    return DivergenceResult(
        tuple(units[i] for i in usable), distribution, tuple(pairs), confidence_level, n_resamples
    )
