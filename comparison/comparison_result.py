"""The result of :func:`comparison.compare_outlets`: per-outlet estimates, tests, divergence, vocabulary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from comparison.contingency import IndependenceTestResult
from comparison.records import ComparisonWarning
from comparison.results import FrameTestResult, Omission, ShareEstimate, format_table, instrument_metadata
from comparison.stats import BH_METHOD
from comparison.vocabulary import VocabularyResult


@dataclass(frozen=True)
class DivergenceResult:
    """Pairwise Jensen–Shannon divergence (base 2, in [0, 1]) between outlets' frame distributions.

    ``distribution`` names what is compared: ``"prevalence"`` — each outlet's frame prevalences
    normalised to sum to one (how its attention is spread over frames; an article may use several);
    ``"share"`` — mean sentence shares, normalised; ``"dominant"`` — dominant-frame counts.
    """

    outlets: tuple[str, ...]
    distribution: str
    matrix: tuple[tuple[float, ...], ...]

    def value(self, outlet_a: str, outlet_b: str) -> float:
        return self.matrix[self.outlets.index(outlet_a)][self.outlets.index(outlet_b)]

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "divergence": [
                {"outlet_a": a, "outlet_b": b, "jsd": self.matrix[i][j], "distribution": self.distribution}
                for i, a in enumerate(self.outlets)
                for j, b in enumerate(self.outlets)
            ]
        }

    def summary(self) -> str:
        rows = [
            {"outlet": a, **{b: self.matrix[i][j] for j, b in enumerate(self.outlets)}}
            for i, a in enumerate(self.outlets)
        ]
        return f"Jensen-Shannon divergence (base 2) of {self.distribution}\n" + format_table(
            rows, ["outlet", *self.outlets]
        )


def _stance_test_row(test: IndependenceTestResult) -> dict[str, Any]:
    return {
        "variable": "stance",
        "method": test.method,
        "statistic": test.statistic,
        "df": test.df,
        "pvalue": test.pvalue,
        "cramers_v": test.effect_size,
        "n": test.n,
        "min_expected": test.min_expected,
        "n_resamples": test.n_resamples,
    }


@dataclass(frozen=True)
class ComparisonResult:
    """Everything :func:`compare_outlets` found; ``tables()`` gives tidy rows for JSON and CSV.

    ``stance_test`` tests whether the stance distribution differs across outlets (one test, so no
    correction); ``None`` when fewer than two outlets have stance labels or only one label occurs.
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
    stance_test: IndependenceTestResult | None = None

    @property
    def n(self) -> int:
        return sum(self.n_articles)

    def prevalence_of(self, outlet: str, frame: str) -> ShareEstimate:
        """The prevalence estimate of one frame in one outlet (KeyError if absent)."""
        for p in self.prevalence:
            if p.outlet == outlet and p.category == frame:
                return p
        raise KeyError((outlet, frame))

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """Tidy tables: one row per outlet, outlet × frame, outlet × stance, frame, pair, term, …"""
        return {
            "outlets": [
                {"outlet": o, "n_articles": n} for o, n in zip(self.outlets, self.n_articles, strict=True)
            ],
            "prevalence": [p.row() for p in self.prevalence],
            "dominant_frames": [p.row() for p in self.dominant_frames],
            "stance": [p.row() for p in self.stance],
            "frame_tests": [t.row() for t in self.frame_tests],
            "divergence": self.divergence.tables()["divergence"] if self.divergence else [],
            "distinctive_terms": self.vocabulary.tables()["distinctive_terms"] if self.vocabulary else [],
            "stance_test": [_stance_test_row(self.stance_test)] if self.stance_test else [],
            "omissions": [o.row() for o in self.omissions],
            "warnings": [w.row() for w in self.warnings],
        }

    def metadata(self) -> dict[str, Any]:
        """What produced the numbers: say it in every response."""
        extra = {"correction_method": self.correction_method, "n_articles": self.n}
        return {**instrument_metadata(self), **extra}

    def summary(self) -> str:
        t = self.tables()
        head = f"Comparison of {len(self.outlets)} outlets, {self.n} articles; models {self.model_versions}"
        parts = [
            head,
            format_table(t["prevalence"], ["outlet", "frame", "count", "n", "share", "ci_low", "ci_high"]),
            format_table(
                t["frame_tests"], ["frame", "method", "statistic", "pvalue", "pvalue_adjusted", "cramers_v"]
            ),
        ]
        if self.stance_test:
            parts.append(f"Stance toward {self.stance_target or 'the target'} by outlet: {self.stance_test}")
        if self.divergence:
            parts.append(self.divergence.summary())
        if self.vocabulary:
            parts.append(self.vocabulary.summary())
        if self.omissions:
            parts.append(
                "Omissions\n"
                + format_table(t["omissions"], ["outlet", "frame", "count", "n", "median_other_prevalence"])
            )
        parts += [f"warning [{w.code}] {w.message}" for w in self.warnings]
        return "\n\n".join(parts)

    def __str__(self) -> str:
        return self.summary()
