"""Comparisons from counts aggregated elsewhere (a database ``GROUP BY``), never one object per article.

A million stored articles are a few hundred thousand rows once identical labels are counted together
(outlet × event × frame pattern × dominant frame × stance), and those rows are held as arrays, not as
``ArticleRecord`` objects. :func:`compare_counts` handles grouping, copies and events on the rows and
runs the statistics of :func:`~comparison.compare.compare_outlets` on them: the same numbers as the
articles one record each (tests/comparison/test_counted.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from comparison.compare import Distribution, Syndicated, check_options
from comparison.comparison_result import ComparisonResult
from comparison.errors import InvalidParameterError, InvalidRecordError, NotEnoughDataError, UnknownFrameError
from comparison.grouping import Grouping, group_outlets
from comparison.label_table import LabelTable, codes, dominant_codes
from comparison.records import (
    DEFAULT_STANCE_LABELS,
    ArticleRecord,
    ComparisonWarning,
    RecordArrays,
    check_model_versions,
    validate_stances,
)
from comparison.syndication import SyndicationResult
from comparison.table_statistics import compare_table
from comparison.vocabulary import TermCounts


@dataclass(frozen=True)
class LabelCounts:
    """Articles counted in cells, and by frame-presence pattern: the form database ``GROUP BY``s give.

    Cell row i: ``n[i]`` articles of ``outlet[i]`` on ``event[i]`` (``None``: no event) with one
    dominant frame, stance, stance target, model version and codebook hash, of which ``present[i, j]``
    use ``frames[j]`` and whose sentence shares of it add up to ``share_sums[i, j]``. ``is_copy[i]``:
    the articles are syndicated copies of one already counted in their *unit* (outlet, or the
    outlet's group when comparing groups), as the reader found from ingest-time clusters.

    Pattern row k (the divergence bootstrap resamples articles, so it needs each unit's joint
    presence patterns): ``pattern_n[k]`` articles of ``pattern_outlet[k]`` on ``pattern_event[k]``
    with copy flag ``pattern_is_copy[k]`` and frame presence ``pattern_present[k]``. Both tables count
    the same articles.
    """

    frames: tuple[str, ...]
    outlet: Sequence[str]
    event: Sequence[str | None]
    present: np.ndarray
    share_sums: np.ndarray
    dominant: Sequence[str | None]
    stance: Sequence[str | None]
    stance_target: Sequence[str | None]
    model_version: Sequence[str | None]
    codebook_hash: Sequence[str | None]
    n: np.ndarray
    is_copy: np.ndarray
    pattern_outlet: Sequence[str]
    pattern_event: Sequence[str | None]
    pattern_is_copy: np.ndarray
    pattern_present: np.ndarray
    pattern_n: np.ndarray

    def __len__(self) -> int:
        return len(self.outlet)


def _pairs_as_records(pairs: set[tuple], fields: tuple[str, str]) -> list[ArticleRecord]:
    """One stand-in record per distinct value pair, for the record validators (they read only sets)."""
    return [ArticleRecord(outlet="", frames={}, **dict(zip(fields, p, strict=True))) for p in pairs]


def compare_counts(  # noqa: PLR0913
    counts: LabelCounts,
    frames: Sequence[str],
    *,
    term_counts: TermCounts | None = None,
    syndication: SyndicationResult | None = None,
    stance_labels: Sequence[str] = DEFAULT_STANCE_LABELS,
    min_articles: int = 5,
    n_terms: int = 15,
    confidence_level: float = 0.95,
    distribution: Distribution = "prevalence",
    usage_threshold: float = 0.25,
    omission_threshold: float = 0.05,
    allow_mixed_versions: bool = False,
    min_term_count: int = 3,
    n_resamples: int = 9999,
    random_state: int = 0,
    group_of: Mapping[str, str | None] | None = None,
    group_by: str | None = None,
    syndicated: Syndicated = "once",
    stratify_by_event: bool = False,
    n_bootstrap: int = 200,
    min_term_documents: int = 5,
) -> ComparisonResult:
    """:func:`~comparison.compare.compare_outlets` on counted rows (see :class:`LabelCounts`).

    ``syndication`` is the reader's cluster table (``None`` with ``syndicated="off"``); rows flagged
    ``is_copy`` are left out with ``syndicated="once"``. ``term_counts`` has one row per unit (the
    reader's sampled texts); without it no distinctive terms are ranked. ``distribution="share"``
    needs per-article shares and is refused.
    """
    check_options(
        distribution, syndicated, min_articles, omission_threshold, usage_threshold, confidence_level
    )
    if distribution == "share":
        raise InvalidParameterError("distribution='share' needs one record per article, not counts")
    if len(counts) == 0 or int(np.sum(counts.n)) == 0:
        raise NotEnoughDataError("no articles to compare")
    warnings: list[ComparisonWarning] = []
    grouping: Grouping | None = None
    mapping: Mapping[str, str] | None = None
    if group_of is not None:
        mapping, grouping, found = group_outlets(list(counts.outlet), group_of, group_by or "group")
        warnings += found
    keep, units = _kept(counts.outlet, mapping)
    pattern_keep, pattern_units = _kept(counts.pattern_outlet, mapping)
    weights = np.asarray(counts.n, dtype=np.int64)
    raw_n: Counter[str] = Counter()
    for u, w in zip(units[keep], weights[keep], strict=True):
        raw_n[u] += int(w)
    if syndicated == "once":
        keep &= ~np.asarray(counts.is_copy, dtype=bool)
        pattern_keep &= ~np.asarray(counts.pattern_is_copy, dtype=bool)
    elif syndicated == "off":
        syndication = None
    if stratify_by_event:
        missing = keep & np.fromiter((e is None for e in counts.event), bool, len(counts))
        if missing.any():
            undated = int(weights[missing].sum())
            warnings.append(
                ComparisonWarning("missing_event", f"{undated} article(s) without an event left out")
            )
            keep &= ~missing
        pattern_keep &= np.fromiter((e is not None for e in counts.pattern_event), bool, len(pattern_keep))
    table = _table(counts, frames, np.flatnonzero(keep), units, stance_labels, allow_mixed_versions)
    rows = np.flatnonzero(pattern_keep)
    columns = [counts.frames.index(f) for f in table.arrays.frames]
    table = replace(
        table,
        patterns=(
            codes(list(pattern_units[rows]), table.arrays.outlets),
            np.asarray(counts.pattern_present, dtype=bool)[rows][:, columns],
            np.asarray(counts.pattern_n, dtype=np.int64)[rows],
        ),
    )
    return compare_table(
        table,
        raw_n=raw_n,
        warnings=warnings,
        grouping=grouping,
        syndication=syndication,
        syndicated=syndicated,
        stratify_by_event=stratify_by_event,
        term_counts=term_counts,
        min_articles=min_articles,
        n_terms=n_terms,
        confidence_level=confidence_level,
        distribution=distribution,
        usage_threshold=usage_threshold,
        omission_threshold=omission_threshold,
        min_term_count=min_term_count,
        n_resamples=n_resamples,
        random_state=random_state,
        n_bootstrap=n_bootstrap,
        min_term_documents=min_term_documents,
    )


def _kept(outlets: Sequence[str], mapping: Mapping[str, str] | None) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose outlet is compared (all, or those with a group) and each row's unit."""
    if mapping is None:
        return np.ones(len(outlets), dtype=bool), np.asarray(outlets, dtype=object)
    keep = np.fromiter((o in mapping for o in outlets), bool, len(outlets))
    return keep, np.array([mapping.get(o) for o in outlets], dtype=object)


def _table(  # noqa: PLR0913
    counts: LabelCounts,
    frames: Sequence[str],
    rows: np.ndarray,
    units: np.ndarray,
    stance_labels: Sequence[str],
    allow_mixed_versions: bool,
) -> LabelTable:
    """The kept rows as a :class:`LabelTable`, validated like ``build_arrays`` validates records."""
    if isinstance(frames, str):
        raise InvalidParameterError("frames must be a sequence of frame keys, not one string")
    frame_keys = tuple(dict.fromkeys(frames))
    if not frame_keys:
        raise InvalidParameterError("at least one frame key is required")
    missing = [f for f in frame_keys if f not in counts.frames]
    if missing:
        raise UnknownFrameError(f"frame(s) {missing} occur in no record; known: {sorted(counts.frames)}")
    if rows.size == 0:
        raise NotEnoughDataError("no articles to compare")
    pick = lambda column: [column[i] for i in rows]  # noqa: E731
    pairs = set(zip(pick(counts.model_version), pick(counts.codebook_hash), strict=True))
    versions, hashes, version_warnings = check_model_versions(
        _pairs_as_records(pairs, ("model_version", "codebook_hash")),
        allow_mixed_versions=allow_mixed_versions,
    )
    stance_labels = tuple(stance_labels)
    stances = pick(counts.stance)
    stance_pairs = set(zip(stances, pick(counts.stance_target), strict=True))
    target = validate_stances(_pairs_as_records(stance_pairs, ("stance", "stance_target")), stance_labels)
    columns = [counts.frames.index(f) for f in frame_keys]
    n = np.asarray(counts.n, dtype=np.int64)[rows]
    present_counts = np.asarray(counts.present, dtype=np.int64)[rows][:, columns]
    if ((present_counts < 0) | (present_counts > n[:, None])).any():
        raise InvalidRecordError("a cell cannot have more articles using a frame than articles")
    shares = np.asarray(counts.share_sums, dtype=float)[rows][:, columns] / n[:, None]
    if ((shares < 0) | (shares > 1 + 1e-12) | np.isnan(shares)).any():
        raise InvalidRecordError("sentence shares must lie in [0, 1]")
    unit_names = tuple(sorted(set(units[rows])))
    outlets = pick(counts.outlet)
    event_values = pick(counts.event)
    event_names = tuple(sorted({e for e in event_values if e is not None}))
    sources = tuple(sorted(set(outlets)))
    arrays = RecordArrays(
        unit_names,
        frame_keys,
        codes(list(units[rows]), unit_names),
        present_counts > 0,
        shares,
        versions,
        hashes,
        version_warnings,
        n,
    )
    return LabelTable(
        arrays,
        stance_labels,
        codes(stances, stance_labels),
        dominant_codes(pick(counts.dominant), frame_keys),
        event_names,
        codes(event_values, event_names),
        sources,
        codes(outlets, sources),
        target,
        present_counts=present_counts,
    )
