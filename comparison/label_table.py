"""The columns every comparison statistic reads: one row per article, or per group of identical articles.

``compare_outlets`` builds a :class:`LabelTable` from records (weight 1 each, or weighted records);
:func:`comparison.counted.compare_counts` builds one from counts aggregated elsewhere (a database
``GROUP BY``). The statistics then run on the table alone, so both inputs give the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from comparison.records import ArticleRecord, RecordArrays, build_arrays, validate_stances
from comparison.strata import CoverageRow

NO_LABEL = -1  # stance / event position of a row without one
UNKNOWN_FRAME = -1  # dominant position of a frame not among the compared ones


@dataclass(frozen=True)
class LabelTable:
    """Aligned columns: ``arrays`` (units, presence, mean shares, weights) and per row its stance
    (position in ``stance_labels``), dominant frame (position in ``arrays.frames``; ``n_frames``
    for none), event (position in ``events``) and source outlet (position in ``sources``).

    Rows may be *cells* of articles that differ in frame presence: then ``present_counts`` (rows ×
    frames) says how many of each row's articles use each frame, and ``patterns`` = (unit position,
    presence rows, article counts) gives the joint presence patterns per unit that the divergence
    bootstrap resamples (``None``: the rows' own presence, one pattern per row).
    """

    arrays: RecordArrays
    stance_labels: tuple[str, ...]
    stance: np.ndarray
    dominant: np.ndarray
    events: tuple[str, ...]
    event: np.ndarray
    sources: tuple[str, ...]
    source: np.ndarray
    stance_target: str | None
    present_counts: np.ndarray | None = None
    patterns: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None


def codes(values: Sequence[object], labels: Sequence[object], missing: int = NO_LABEL) -> np.ndarray:
    """(n,) position of each value in ``labels``; ``missing`` for ``None`` or a value not among them."""
    position = {v: i for i, v in enumerate(labels)}
    return np.fromiter(
        (position.get(v, missing) if v is not None else missing for v in values), np.intp, len(values)
    )


def dominant_codes(dominants: Sequence[str | None], frames: Sequence[str]) -> np.ndarray:
    """Position of each dominant frame; ``len(frames)`` for none, ``UNKNOWN_FRAME`` if not compared."""
    position = {k: j for j, k in enumerate(frames)}
    n = len(frames)
    return np.fromiter(
        (position.get(d, UNKNOWN_FRAME) if d is not None else n for d in dominants), np.intp, len(dominants)
    )


def table_from_records(
    records: Sequence[ArticleRecord],
    frames: Sequence[str],
    stance_labels: Sequence[str],
    *,
    allow_mixed_versions: bool = False,
) -> LabelTable:
    """Validate records (versions, frames, stances) and lay them out as a :class:`LabelTable`."""
    arrays = build_arrays(records, frames, allow_mixed_versions=allow_mixed_versions)
    stance_labels = tuple(stance_labels)
    target = validate_stances(records, stance_labels)
    events = tuple(sorted({r.event for r in records if r.event is not None}))
    sources = tuple(sorted({r.source_outlet or r.outlet for r in records}))
    return LabelTable(
        arrays,
        stance_labels,
        codes([r.stance for r in records], stance_labels),
        dominant_codes([r.dominant_frame for r in records], arrays.frames),
        events,
        codes([r.event for r in records], events),
        sources,
        codes([r.source_outlet or r.outlet for r in records], sources),
        target,
    )


def coverage_from_table(table: LabelTable) -> tuple[CoverageRow, ...]:
    """Every unit × event: articles, and how many of the unit's outlets covered the event."""
    units, events = table.arrays.outlets, table.events
    n_units, n_events, n_sources = len(units), len(events), len(table.sources)
    unit, w = table.arrays.outlet_index, table.arrays.n_weight
    has = table.event >= 0
    n = np.zeros((n_units, n_events), dtype=np.int64)
    np.add.at(n, (unit[has], table.event[has]), w[has])
    covering = np.zeros((n_units, n_events, n_sources), dtype=bool)
    covering[unit[has], table.event[has], table.source[has]] = True
    outlets_of = np.zeros((n_units, n_sources), dtype=bool)
    outlets_of[unit, table.source] = True
    return tuple(
        CoverageRow(u, e, int(n[i, j]), int(covering[i, j].sum()), int(outlets_of[i].sum()))
        for i, u in enumerate(units)
        for j, e in enumerate(events)
    )
