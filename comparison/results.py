"""Row-level result types shared by the comparison, trend and profile results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from comparison.contingency import IndependenceTestResult
from comparison.stats import ConfidenceInterval, wilson_interval
from comparison.strata import StratifiedTestResult


@dataclass(frozen=True)
class ShareEstimate:
    """``count`` of ``n`` articles of one outlet (in one bucket or event) fall in ``category``.

    ``variable`` says what is counted: ``"frame"`` (frame present), ``"dominant_frame"`` or
    ``"stance"``. ``mean_share`` is the mean sentence share for frames, else ``None``.
    """

    outlet: str
    variable: str
    category: str
    count: int
    n: int
    confidence_level: float = 0.95
    mean_share: float | None = None
    bucket: str | None = None
    bucket_start: str | None = None
    event: str | None = None

    @property
    def share(self) -> float:
        return self.count / self.n

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Wilson interval for the share; defaults to the level the result was computed at."""
        level = self.confidence_level if confidence_level is None else confidence_level
        return wilson_interval(self.count, self.n, level)

    def row(self) -> dict[str, Any]:
        low, high = self.confidence_interval()
        row: dict[str, Any] = {"outlet": self.outlet}
        if self.event is not None:
            row["event"] = self.event
        if self.bucket is not None:
            row["bucket"] = self.bucket
            row["bucket_start"] = self.bucket_start
        key = "frame" if self.variable in ("frame", "dominant_frame") else self.variable
        row.update(
            {
                key: self.category,
                "count": self.count,
                "n": self.n,
                "share": self.share,
                "ci_low": low,
                "ci_high": high,
                "confidence_level": self.confidence_level,
            }
        )
        if self.variable == "frame":
            row["mean_sentence_share"] = self.mean_share
        return row


@dataclass(frozen=True)
class FrameTestResult:
    """Does ``frame``'s prevalence differ across outlets? Raw and BH-adjusted p-values."""

    frame: str
    test: IndependenceTestResult | StratifiedTestResult
    pvalue_adjusted: float
    correction_method: str
    effect_size_supported: bool = True

    @property
    def statistic(self) -> float:
        return self.test.statistic

    @property
    def pvalue(self) -> float:
        return self.test.pvalue

    @property
    def method(self) -> str:
        return self.test.method

    @property
    def effect_size(self) -> float | None:
        """Cramér's V; ``None`` for stratified tests and when some unit has too few articles."""
        return self.test.effect_size if self.effect_size_supported else None

    @property
    def n(self) -> int:
        return self.test.n

    def row(self) -> dict[str, Any]:
        t = self.test
        strata = {"n_events": t.n_strata} if isinstance(t, StratifiedTestResult) else {}
        return {
            "frame": self.frame,
            "method": t.method,
            "statistic": t.statistic,
            "df": t.df,
            "pvalue": t.pvalue,
            "pvalue_adjusted": self.pvalue_adjusted,
            "correction_method": self.correction_method,
            "cramers_v": self.effect_size,
            "n": t.n,
            "min_expected": t.min_expected,
            "n_resamples": t.n_resamples,
            **strata,
        }

    def summary(self) -> str:
        adjusted = f"p_adj({self.correction_method})={self.pvalue_adjusted:.4g}"
        return f"{self.frame}: {self.test.summary()}, {adjusted}"


@dataclass(frozen=True)
class Omission:
    """``outlet`` (almost) never uses ``frame`` although most other outlets do."""

    outlet: str
    frame: str
    count: int
    n: int
    n_other_outlets_using: int
    n_other_outlets: int
    median_other_prevalence: float
    confidence_level: float = 0.95

    @property
    def prevalence(self) -> float:
        return self.count / self.n

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        level = self.confidence_level if confidence_level is None else confidence_level
        return wilson_interval(self.count, self.n, level)

    def row(self) -> dict[str, Any]:
        low, high = self.confidence_interval()
        return {
            "outlet": self.outlet,
            "frame": self.frame,
            "count": self.count,
            "n": self.n,
            "prevalence": self.prevalence,
            "ci_low": low,
            "ci_high": high,
            "n_other_outlets_using": self.n_other_outlets_using,
            "n_other_outlets": self.n_other_outlets,
            "median_other_prevalence": self.median_other_prevalence,
        }


def format_table(rows: list[dict[str, Any]], columns: list[str], *, limit: int = 40) -> str:
    """A fixed-width text table for ``summary()``; floats with 3 decimals."""

    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.3g}" if abs(value) < 1e-3 and value != 0 else f"{value:.3f}"
        return "-" if value is None else str(value)

    body = [[cell(r.get(c)) for c in columns] for r in rows[:limit]]
    widths = [max([len(c)] + [len(b[i]) for b in body]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(b, widths, strict=True)) for b in body]
    if len(rows) > limit:
        lines.append(f"... {len(rows) - limit} more rows")
    return "\n".join(lines)


def instrument_metadata(result: Any) -> dict[str, Any]:
    """What produced a result's numbers (said in every response): models, codebooks, scope.

    Shared by the comparison, trend and profile results, which carry these same fields.
    """
    return {
        "model_versions": list(result.model_versions),
        "codebook_hashes": list(result.codebook_hashes),
        "stance_target": result.stance_target,
        "confidence_level": result.confidence_level,
        "outlets": list(result.outlets),
        "frames": list(result.frames),
    }
