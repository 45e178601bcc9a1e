"""Frame prevalence and stance over time, per outlet, in day / ISO-week / month buckets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

import numpy as np

from comparison.advice import merge_warnings
from comparison.errors import InvalidParameterError, NotEnoughDataError
from comparison.grouping import Grouping, maybe_group, rename_unit
from comparison.records import (
    DEFAULT_STANCE_LABELS,
    ArticleRecord,
    ComparisonWarning,
    build_arrays,
    count_cells,
    validate_stances,
)
from comparison.results import ShareEstimate, format_table, instrument_metadata
from comparison.stats import check_confidence_level

Interval = Literal["day", "week", "month"]
INTERVALS = ("day", "week", "month")


def bucket_of(moment: datetime, interval: Interval) -> tuple[str, date]:
    """The bucket label and start date of a timestamp (UTC; naive timestamps are taken as UTC).

    Weeks are ISO 8601 weeks (Monday start, labelled by ISO year): 2021-01-01 falls in
    ``2020-W53``, which starts on 2020-12-28.
    """
    return _bucket_of_day(_utc_day(moment), interval)


def _utc_day(moment: datetime) -> date:
    return (moment.astimezone(UTC) if moment.tzinfo is not None else moment).date()


def _bucket_of_day(day: date, interval: str) -> tuple[str, date]:
    if interval == "day":
        return day.isoformat(), day
    if interval == "week":
        iso = day.isocalendar()
        return f"{iso.year}-W{iso.week:02d}", day - timedelta(days=iso.weekday - 1)
    if interval == "month":
        return f"{day.year}-{day.month:02d}", day.replace(day=1)
    raise InvalidParameterError(f"interval must be one of {INTERVALS}, got {interval!r}")


@dataclass(frozen=True)
class TrendResult:
    """Per outlet × bucket × frame prevalence and per outlet × bucket × stance share, with Wilson CIs."""

    interval: str
    outlets: tuple[str, ...]
    frames: tuple[str, ...]
    buckets: tuple[str, ...]
    confidence_level: float
    model_versions: tuple[str, ...]
    codebook_hashes: tuple[str, ...]
    prevalence: tuple[ShareEstimate, ...]
    stance: tuple[ShareEstimate, ...]
    warnings: tuple[ComparisonWarning, ...]
    stance_target: str | None = None
    grouping: Grouping | None = None

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        unit = "group" if self.grouping else "outlet"
        tables = {
            "prevalence": [p.row() for p in self.prevalence],
            "stance": [s.row() for s in self.stance],
            "warnings": [w.row() for w in self.warnings],
        }
        if self.grouping:
            tables.update(self.grouping.tables())
        return {name: rename_unit(rows, unit) for name, rows in tables.items()}

    def metadata(self) -> dict[str, Any]:
        group_by = self.grouping.attribute if self.grouping else None
        return {**instrument_metadata(self), "interval": self.interval, "group_by": group_by}

    def summary(self) -> str:
        rows = self.tables()["prevalence"]
        head = (
            f"Trends by {self.interval}: {len(self.outlets)} outlets, {len(self.buckets)} buckets "
            f"({self.buckets[0]} .. {self.buckets[-1]})"
            if self.buckets
            else "Trends: no dated articles"
        )
        parts = [
            head,
            format_table(rows, ["outlet", "bucket", "frame", "count", "n", "share", "ci_low", "ci_high"]),
        ]
        parts += [f"warning [{w.code}] {w.message}" for w in self.warnings]
        return "\n\n".join(parts)

    def __str__(self) -> str:
        return self.summary()


def frame_trends(
    records: Sequence[ArticleRecord],
    frames: Sequence[str],
    *,
    interval: Interval = "week",
    stance_labels: Sequence[str] = DEFAULT_STANCE_LABELS,
    confidence_level: float = 0.95,
    min_articles: int = 5,
    allow_mixed_versions: bool = False,
    group_of: Mapping[str, str | None] | None = None,
    group_by: str | None = None,
) -> TrendResult:
    """Frame prevalence and stance shares per outlet per time bucket.

    Only non-empty (outlet, bucket) cells produce rows; a dashboard should show gaps, not zeros.
    Records without ``published_at`` are left out (with a warning). With ``group_of`` (outlet ->
    group, named ``group_by``) the trends are per group of outlets.

    Notes
    -----
    Each bucket's interval treats its articles as independent; buckets with fewer than
    ``min_articles`` articles are counted in a warning per outlet because their intervals are wide.
    """
    if interval not in INTERVALS:
        raise InvalidParameterError(f"interval must be one of {INTERVALS}, got {interval!r}")
    check_confidence_level(confidence_level)
    stance_labels = tuple(stance_labels)
    warnings: list[ComparisonWarning] = []
    records, grouping = maybe_group(records, group_of, group_by, warnings)
    dated = [r for r in records if r.published_at is not None]
    undated = sum(r.weight for r in records if r.published_at is None)
    if undated:
        warnings.append(
            ComparisonWarning(
                "missing_published_at",
                f"{undated} article(s) without published_at left out of the trends",
            )
        )
    if not dated:
        raise NotEnoughDataError("no article has a published_at date")
    arrays = build_arrays(dated, frames, allow_mixed_versions=allow_mixed_versions)
    stance_target = validate_stances(dated, stance_labels)
    warnings = list(arrays.warnings) + warnings
    days = [_utc_day(r.published_at) for r in dated]  # type: ignore[arg-type]
    bucket_by_day = {d: _bucket_of_day(d, interval) for d in set(days)}  # a few hundred distinct days
    starts = dict(sorted(set(bucket_by_day.values()), key=lambda k: k[1]))
    buckets = tuple(starts)
    position = {b: j for j, b in enumerate(buckets)}
    column_by_day = {d: position[k[0]] for d, k in bucket_by_day.items()}
    n_out, n_b = len(arrays.outlets), len(buckets)
    cell = arrays.outlet_index * n_b + np.fromiter(map(column_by_day.__getitem__, days), np.intp, len(days))
    cells = count_cells(arrays, dated, stance_labels, cell, n_out * n_b)
    n_cell, present, share_sums, stance_counts = cells.n, cells.present, cells.share_sums, cells.stance

    prevalence: list[ShareEstimate] = []
    stance: list[ShareEstimate] = []
    for o, outlet in enumerate(arrays.outlets):
        n_small = 0
        for b, bucket in enumerate(buckets):
            c = o * n_b + b
            n = int(n_cell[c])
            if n == 0:
                continue
            n_small += n < min_articles
            start = starts[bucket].isoformat()
            prevalence += [
                ShareEstimate(
                    outlet,
                    "frame",
                    f,
                    int(present[c, j]),
                    n,
                    confidence_level,
                    float(share_sums[c, j] / n),
                    bucket,
                    start,
                )
                for j, f in enumerate(arrays.frames)
            ]
            n_st = int(stance_counts[c].sum())
            if n_st:
                stance += [
                    ShareEstimate(
                        outlet,
                        "stance",
                        s,
                        int(stance_counts[c, j]),
                        n_st,
                        confidence_level,
                        None,
                        bucket,
                        start,
                    )
                    for j, s in enumerate(stance_labels)
                ]
        if n_small:
            warnings.append(
                ComparisonWarning(
                    "small_sample",
                    f"{outlet}: {n_small} bucket(s) with fewer than "
                    f"{min_articles} articles; their intervals are wide",
                    outlet=outlet,
                )
            )
    return TrendResult(
        interval,
        arrays.outlets,
        arrays.frames,
        buckets,
        confidence_level,
        arrays.model_versions,
        arrays.codebook_hashes,
        tuple(prevalence),
        tuple(stance),
        merge_warnings(warnings),
        stance_target,
        grouping,
    )
