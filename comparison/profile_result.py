"""Result types of :func:`comparison.outlet_profile`: per-event shares and event-stratified tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from comparison.errors import InvalidParameterError
from comparison.grouping import Grouping, rename_unit
from comparison.records import ComparisonWarning
from comparison.results import ShareEstimate, format_table, instrument_metadata
from comparison.stats import BH_METHOD, ConfidenceInterval

CMH_METHOD = "cochran-mantel-haenszel"


@dataclass(frozen=True)
class StratifiedFrameResult:
    """Does ``outlet`` use ``frame`` more or less than other outlets covering the same events?

    ``odds_ratio`` is the Mantel–Haenszel pooled odds ratio over events (> 1: the outlet uses the
    frame more); ``statistic``/``pvalue`` test a common odds ratio of 1; ``pvalue_homogeneity``
    (Breslow–Day) warns when the difference changes direction between events.
    """

    outlet: str
    frame: str
    n_events: int
    n: int
    odds_ratio: float
    statistic: float
    pvalue: float
    pvalue_adjusted: float
    pvalue_homogeneity: float | None
    ci_low: float
    ci_high: float
    confidence_level: float
    method: str = CMH_METHOD
    correction_method: str = BH_METHOD

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Interval of the pooled odds ratio (Robins–Breslow–Greenland variance, via statsmodels).

        Only the level it was computed at is stored; other levels are refused rather than guessed.
        """
        if confidence_level not in (None, self.confidence_level):
            raise InvalidParameterError(
                f"computed at {self.confidence_level}; rerun outlet_profile for another level"
            )
        return ConfidenceInterval(self.ci_low, self.ci_high)

    def row(self) -> dict[str, Any]:
        return {
            "outlet": self.outlet,
            "frame": self.frame,
            "method": self.method,
            "n_events": self.n_events,
            "n": self.n,
            "odds_ratio": self.odds_ratio,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "statistic": self.statistic,
            "pvalue": self.pvalue,
            "pvalue_adjusted": self.pvalue_adjusted,
            "correction_method": self.correction_method,
            "pvalue_homogeneity": self.pvalue_homogeneity,
        }


@dataclass(frozen=True)
class ProfileResult:
    """Per outlet × event prevalence and stance, and event-stratified tests against the other outlets."""

    outlets: tuple[str, ...]
    frames: tuple[str, ...]
    events: tuple[str, ...]
    confidence_level: float
    model_versions: tuple[str, ...]
    codebook_hashes: tuple[str, ...]
    prevalence: tuple[ShareEstimate, ...]
    stance: tuple[ShareEstimate, ...]
    stratified: tuple[StratifiedFrameResult, ...]
    warnings: tuple[ComparisonWarning, ...]
    stance_target: str | None = None
    grouping: Grouping | None = None

    @property
    def unit(self) -> str:
        return "group" if self.grouping else "outlet"

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        tables = {
            "prevalence": [p.row() for p in self.prevalence],
            "stance": [s.row() for s in self.stance],
            "stratified_tests": [s.row() for s in self.stratified],
            "warnings": [w.row() for w in self.warnings],
        }
        if self.grouping:
            tables = {"groups": self.grouping.tables()["groups"], **tables}
        return {name: rename_unit(rows, self.unit) for name, rows in tables.items()}

    def metadata(self) -> dict[str, Any]:
        grouped = {"group_by": self.grouping.attribute, "groups": list(self.outlets)} if self.grouping else {}
        return {**instrument_metadata(self), "events": list(self.events), "unit": self.unit, **grouped}

    def summary(self) -> str:
        t = self.tables()
        parts = [
            f"Profile of {', '.join(self.outlets)} across {len(self.events)} events",
            format_table(t["prevalence"], [self.unit, "event", "frame", "count", "n", "share"]),
            format_table(
                t["stratified_tests"],
                [
                    self.unit,
                    "frame",
                    "n_events",
                    "odds_ratio",
                    "ci_low",
                    "ci_high",
                    "pvalue",
                    "pvalue_adjusted",
                ],
            ),
        ]
        parts += [f"warning [{w.code}] {w.message}" for w in self.warnings]
        return "\n\n".join(parts)

    def __str__(self) -> str:
        return self.summary()
