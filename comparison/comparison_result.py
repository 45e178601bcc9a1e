"""The result of :func:`comparison.compare_outlets`: per-unit estimates, tests, divergence, vocabulary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from comparison.advice import ComparisonWarning
from comparison.divergence import DivergencePair, DivergenceResult
from comparison.grouping import Grouping, rename_unit
from comparison.results import FrameTestResult, Omission, ShareEstimate, format_table, instrument_metadata
from comparison.stats import BH_METHOD
from comparison.strata import CoverageRow
from comparison.syndication import SyndicationResult
from comparison.vocabulary import VocabularyResult

__all__ = ["ComparisonResult", "DivergencePair", "DivergenceResult"]


def _stance_test_row(test: Any, effect_sizes: bool) -> dict[str, Any]:
    row = {
        "variable": "stance",
        "method": test.method,
        "statistic": test.statistic,
        "df": test.df,
        "pvalue": test.pvalue,
        "cramers_v": test.effect_size if effect_sizes else None,
        "n": test.n,
        "min_expected": test.min_expected,
        "n_resamples": test.n_resamples,
    }
    if hasattr(test, "n_strata"):
        row["n_events"] = test.n_strata
    return row


@dataclass(frozen=True)
class ComparisonResult:
    """Everything :func:`compare_outlets` found; ``tables()`` gives tidy rows for JSON and CSV.

    ``outlets`` are the compared units: outlets, or groups of outlets when ``grouping`` is set (then
    every table names the ``group`` instead of the ``outlet``). ``n_articles`` counts articles per
    unit, ``n_effective`` the same after syndicated copies were counted once per unit (what the
    statistics used). ``stance_test`` tests whether the stance distribution differs across units;
    ``None`` when fewer than two units have stance labels or only one label occurs. With ``events``
    the tests are stratified by event and ``event_prevalence`` and ``coverage`` break them down.
    """

    outlets: tuple[str, ...]
    frames: tuple[str, ...]
    stance_labels: tuple[str, ...]
    n_articles: tuple[int, ...]
    confidence_level: float
    model_versions: tuple[str, ...]
    codebook_hashes: tuple[str, ...]
    prevalence: tuple[ShareEstimate, ...]
    dominant_frames: tuple[ShareEstimate, ...]
    stance: tuple[ShareEstimate, ...]
    divergence: DivergenceResult | None
    frame_tests: tuple[FrameTestResult, ...]
    vocabulary: VocabularyResult | None
    omissions: tuple[Omission, ...]
    warnings: tuple[ComparisonWarning, ...]
    correction_method: str = BH_METHOD
    stance_target: str | None = None
    stance_test: Any = None
    grouping: Grouping | None = None
    n_effective: tuple[int, ...] | None = None
    syndication: SyndicationResult | None = None
    syndicated: str = "once"
    events: tuple[str, ...] = ()
    event_prevalence: tuple[ShareEstimate, ...] = ()
    coverage: tuple[CoverageRow, ...] = ()
    advice: str | None = None
    effect_sizes_supported: bool = True

    @property
    def unit(self) -> str:
        return "group" if self.grouping else "outlet"

    @property
    def n(self) -> int:
        return sum(self.n_articles)

    def prevalence_of(self, outlet: str, frame: str) -> ShareEstimate:
        """The prevalence estimate of one frame in one outlet (or group); KeyError if absent."""
        for p in self.prevalence:
            if p.outlet == outlet and p.category == frame:
                return p
        raise KeyError((outlet, frame))

    def _units_table(self) -> list[dict[str, Any]]:
        effective = self.n_effective or self.n_articles
        members = dict(self.grouping.members) if self.grouping else {}
        rows = []
        for o, n, n_eff in zip(self.outlets, self.n_articles, effective, strict=True):
            row: dict[str, Any] = {"outlet": o, "n_articles": n, "n_effective": n_eff}
            if self.grouping:
                row.update(n_outlets=len(members[o]), outlets=list(members[o]))
            rows.append(row)
        return rows

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """Tidy tables: one row per unit, unit × frame, unit × stance, frame, pair, term, cluster, …"""
        tables = {
            "groups" if self.grouping else "outlets": self._units_table(),
            "prevalence": [p.row() for p in self.prevalence],
            "dominant_frames": [p.row() for p in self.dominant_frames],
            "stance": [p.row() for p in self.stance],
            "frame_tests": [t.row() for t in self.frame_tests],
            "divergence": self.divergence.tables()["divergence"] if self.divergence else [],
            "distinctive_terms": self.vocabulary.tables()["distinctive_terms"] if self.vocabulary else [],
            "stance_test": [_stance_test_row(self.stance_test, self.effect_sizes_supported)]
            if self.stance_test
            else [],
            "omissions": [o.row() for o in self.omissions],
            "syndication": [],
            "warnings": [w.row() for w in self.warnings],
        }
        if self.syndication:  # its cluster list (a page of it, with per-unit counts, when stored)
            tables.update(self.syndication.tables(self.unit))
        if self.events:
            tables["event_prevalence"] = [p.row() for p in self.event_prevalence]
            tables["coverage"] = [c.row() for c in self.coverage]
        return {name: rename_unit(rows, self.unit) for name, rows in tables.items()}

    def metadata(self) -> dict[str, Any]:
        """What produced the numbers: say it in every response."""
        extra: dict[str, Any] = {
            "correction_method": self.correction_method,
            "n_articles": self.n,
            "n_effective": sum(self.n_effective or self.n_articles),
            "unit": self.unit,
            "group_by": self.grouping.attribute if self.grouping else None,
            "syndicated": self.syndicated,
            "syndication_method": self.syndication.method if self.syndication else None,
            "advice": self.advice,
        }
        if self.grouping:
            extra["groups"] = list(self.outlets)
            extra["outlets"] = sorted(o for _, members in self.grouping.members for o in members)
        if self.events:
            extra["events"] = list(self.events)
            extra["stratified_by"] = "event"
        return {**instrument_metadata(self), **extra}

    def summary(self) -> str:
        t = self.tables()
        u = self.unit
        head = f"Comparison of {len(self.outlets)} {u}s, {self.n} articles; models {self.model_versions}"
        parts = [head] + ([f"Advice: {self.advice}"] if self.advice else [])
        parts += [
            format_table(t["prevalence"], [u, "frame", "count", "n", "share", "ci_low", "ci_high"]),
            format_table(
                t["frame_tests"], ["frame", "method", "statistic", "pvalue", "pvalue_adjusted", "cramers_v"]
            ),
        ]
        if self.stance_test:
            parts.append(f"Stance toward {self.stance_target or 'the target'} by {u}: {self.stance_test}")
        for part in (self.divergence, self.vocabulary, self.syndication):
            if part:
                parts.append(part.summary())
        if self.omissions:
            parts.append(
                "Omissions\n"
                + format_table(t["omissions"], [u, "frame", "count", "n", "median_other_prevalence"])
            )
        parts += [f"warning [{w.code}] {w.message}" for w in self.warnings]
        return "\n\n".join(parts)

    def __str__(self) -> str:
        return self.summary()
