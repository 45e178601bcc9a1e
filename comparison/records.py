"""Input records, structured warnings and the validated array view the statistics run on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import numpy as np

from comparison.advice import ComparisonWarning, merge_warnings, small_sample_warnings  # noqa: F401 (re-exported)
from comparison.errors import (
    InvalidParameterError,
    InvalidRecordError,
    MixedModelVersionsError,
    MixedStanceTargetsError,
    NotEnoughDataError,
    UnknownFrameError,
)

DEFAULT_STANCE_LABELS = ("favor", "against", "neutral")


class FrameLabel(Protocol):
    """What the statistics read of one frame's label for one article."""

    key: str
    present: bool
    share: float


class StanceLabel(Protocol):
    target: str
    label: str | None


class Instrument(Protocol):
    """The model version and codebook that produced a label (comparisons refuse to mix them)."""

    version: str
    codebook_hash: str


class ClassifiedArticle(Protocol):
    """The part of a classifier's answer the comparisons read (``classifiers.ArticleClassification``)."""

    @property
    def frames(self) -> Sequence[FrameLabel]: ...
    @property
    def dominant_frame(self) -> str | None: ...
    @property
    def stance(self) -> StanceLabel: ...
    @property
    def model(self) -> Instrument: ...


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """One classified article, as the statistics need it (no ORM, no Flask: usable from a notebook).

    ``frames`` maps frame key to presence, ``shares`` frame key to the share of the article's
    sentences labelled with that frame. ``model_version`` and ``codebook_hash`` identify the
    instrument that produced the labels; comparisons refuse to mix instruments. ``article_id`` (any
    value) is echoed by per-article outputs such as the syndication table; ``source_outlet`` keeps
    the outlet when ``outlet`` has been replaced by the outlet's group. ``syndication_cluster`` (any
    value; ``None``: no known copy) and ``syndication_similarity`` are clusters assigned at ingest.

    ``weight`` > 1 makes one record stand for that many articles with identical labels (a row of an
    aggregated read: ``GROUP BY`` outlet, event, frame pattern, dominant frame, stance); its ``shares``
    are then the articles' *mean* shares and ``text`` is empty (terms come as ``term_counts``).
    ``is_copy`` marks articles that are syndicated copies of one already counted in their unit,
    flagged by such a read (``compare_outlets(..., syndication_source="flags")``).
    """

    outlet: str
    frames: Mapping[str, bool]
    shares: Mapping[str, float] = field(default_factory=dict)
    dominant_frame: str | None = None
    stance: str | None = None
    text: str = ""
    published_at: datetime | None = None
    event: str | None = None
    model_version: str | None = None
    codebook_hash: str | None = None
    stance_target: str | None = None
    article_id: Any = None
    source_outlet: str | None = None
    syndication_cluster: Any = None
    syndication_similarity: float | None = None
    weight: int = 1
    is_copy: bool = False

    @classmethod
    def from_classification(
        cls,
        outlet: str,
        classification: ClassifiedArticle,
        *,
        text: str = "",
        published_at: datetime | None = None,
        event: str | None = None,
        article_id: Any = None,
    ) -> ArticleRecord:
        """Build a record from a classifier's answer (``classifiers.ArticleClassification``).

        Any object with the attributes of :class:`ClassifiedArticle` will do, so this package
        needs nothing from ``classifiers``.
        """
        frames = classification.frames
        return cls(
            outlet=outlet,
            frames={f.key: bool(f.present) for f in frames},
            shares={f.key: float(f.share) for f in frames},
            dominant_frame=classification.dominant_frame,
            stance=classification.stance.label,
            text=text,
            published_at=published_at,
            event=event,
            model_version=classification.model.version,
            codebook_hash=classification.model.codebook_hash,
            stance_target=classification.stance.target,
            article_id=article_id,
        )


@dataclass(frozen=True)
class RecordArrays:
    """Records turned into aligned arrays once, so every statistic is a vectorised reduction."""

    outlets: tuple[str, ...]
    frames: tuple[str, ...]
    outlet_index: np.ndarray  # (n,) int: position of each record's outlet in ``outlets``
    present: np.ndarray  # (n, n_frames) bool
    shares: np.ndarray  # (n, n_frames) float
    model_versions: tuple[str, ...]
    codebook_hashes: tuple[str, ...]
    warnings: tuple[ComparisonWarning, ...]
    weights: np.ndarray | None = None  # (n,) int64: articles each record stands for (None: all 1)

    @property
    def n_weight(self) -> np.ndarray:
        """(n,) articles per record: ``weights``, or ones."""
        return self.weights if self.weights is not None else np.ones(len(self.outlet_index), np.int64)


def record_weights(records: Sequence[ArticleRecord]) -> np.ndarray | None:
    """(n,) int64 weights, ``None`` when every record is one article (the common, unweighted case)."""
    weights = np.fromiter((r.weight for r in records), dtype=np.int64, count=len(records))
    if (weights < 1).any():
        raise InvalidRecordError("record weights must be positive whole numbers of articles")
    return None if (weights == 1).all() else weights


def check_model_versions(
    records: Sequence[ArticleRecord], *, allow_mixed_versions: bool = False
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[ComparisonWarning, ...]]:
    """Return the distinct model versions and codebook hashes; refuse a mixture unless allowed.

    A record without a version counts as its own "unknown" version: mixing unverified labels
    with verified ones is as risky as mixing two models.
    """
    pairs = sorted(
        {(r.model_version, r.codebook_hash) for r in records}, key=lambda p: (p[0] or "", p[1] or "")
    )
    versions = tuple(sorted({p[0] for p in pairs if p[0] is not None}))
    hashes = tuple(sorted({p[1] for p in pairs if p[1] is not None}))
    if len(pairs) <= 1:
        return versions, hashes, ()
    described = ", ".join(f"{v or 'unknown'}/{h or 'unknown'}" for v, h in pairs)
    message = f"records come from {len(pairs)} model version/codebook combinations: {described}"
    if not allow_mixed_versions:
        raise MixedModelVersionsError(
            message + "; filter to one, or pass allow_mixed_versions=True", tuple(pairs)
        )
    return versions, hashes, (ComparisonWarning("mixed_model_versions", message),)


def validate_stances(records: Sequence[ArticleRecord], stance_labels: Sequence[str]) -> str | None:
    """Check stance labels and return the one stance target (``None`` if no record names one).

    Unknown labels are an input error, not a silent extra category; stances toward different
    targets (favouring Ukraine vs favouring Russia) cannot share one distribution.
    """
    allowed = set(stance_labels)
    unknown = sorted({r.stance for r in records if r.stance is not None and r.stance not in allowed})
    if unknown:
        raise InvalidRecordError(f"unknown stance label(s) {unknown}; allowed: {sorted(allowed)}")
    targets = sorted({r.stance_target for r in records if r.stance is not None and r.stance_target})
    if len(targets) > 1:
        raise MixedStanceTargetsError(
            f"stances toward different targets {targets}; compare one target at a time"
        )
    return targets[0] if targets else None


def build_arrays(
    records: Sequence[ArticleRecord], frames: Sequence[str], *, allow_mixed_versions: bool = False
) -> RecordArrays:
    """Validate records and frames and lay them out as arrays (outlets sorted, frames as given)."""
    if isinstance(frames, str):
        raise InvalidParameterError("frames must be a sequence of frame keys, not one string")
    frame_keys = tuple(dict.fromkeys(frames))
    if not frame_keys:
        raise InvalidParameterError("at least one frame key is required")
    if not records:
        raise NotEnoughDataError("no articles to compare")
    versions, hashes, warnings = check_model_versions(records, allow_mixed_versions=allow_mixed_versions)
    seen: set[str] = set()
    for r in records:
        seen.update(r.frames)
    missing = [f for f in frame_keys if f not in seen]
    if missing:
        raise UnknownFrameError(f"frame(s) {missing} occur in no record; known: {sorted(seen)}")
    outlets = tuple(sorted({r.outlet for r in records}))
    position = {o: i for i, o in enumerate(outlets)}
    outlet_index = np.fromiter((position[r.outlet] for r in records), dtype=np.intp, count=len(records))
    size = len(records) * len(frame_keys)
    # flat generators, not a list per record: 100,000 small lists would wake the garbage collector
    present = np.fromiter(
        (bool(r.frames.get(f, False)) for r in records for f in frame_keys), dtype=bool, count=size
    )
    shares = np.fromiter(
        (float(r.shares.get(f, 0.0)) for r in records for f in frame_keys), dtype=float, count=size
    ).reshape(len(records), len(frame_keys))
    if ((shares < 0) | (shares > 1) | np.isnan(shares)).any():
        raise InvalidRecordError("sentence shares must lie in [0, 1]")
    return RecordArrays(
        outlets,
        frame_keys,
        outlet_index,
        present.reshape(shares.shape),
        shares,
        versions,
        hashes,
        warnings,
        record_weights(records),
    )


@dataclass(frozen=True)
class CellCounts:
    """Sums over the records in each cell of a grouping (outlet, outlet × bucket, outlet × event)."""

    n: np.ndarray  # (n_cells,) articles
    present: np.ndarray  # (n_cells, n_frames) articles that use each frame
    share_sums: np.ndarray  # (n_cells, n_frames) summed sentence shares
    stance: np.ndarray  # (n_cells, n_stance_labels) articles with each stance label


def count_cells(
    arrays: RecordArrays,
    records: Sequence[ArticleRecord],
    stance_labels: Sequence[str],
    cell: np.ndarray,
    n_cells: int,
) -> CellCounts:
    """Add up ``arrays`` (built from ``records``) per cell; ``cell[i]`` is record i's cell in [0, n_cells).

    One vectorised pass serves the per-outlet comparison, the trends and the event profile alike;
    records without a stance (or with one not in ``stance_labels``) count nowhere in ``stance``.
    """
    position = {s: j for j, s in enumerate(stance_labels)}
    column = np.fromiter(
        (position.get(r.stance, -1) if r.stance is not None else -1 for r in records),
        dtype=np.intp,
        count=len(records),
    )
    return cell_counts(arrays, column, len(stance_labels), cell, n_cells)


def cell_counts(
    arrays: RecordArrays,
    stance: np.ndarray,
    n_stances: int,
    cell: np.ndarray,
    n_cells: int,
    present_counts: np.ndarray | None = None,
) -> CellCounts:
    """Add up rows per cell; ``stance[i]`` is row i's stance position (-1: none). A row of weight w
    counts as w articles (its shares are their means); ``present_counts`` (rows × frames) says how
    many of a row's articles use each frame when rows are cells rather than identical articles."""
    n_frames = len(arrays.frames)
    w = arrays.n_weight
    present = np.zeros((n_cells, n_frames), dtype=np.int64)
    if present_counts is None:
        present_counts = arrays.present.astype(np.int64) * w[:, None]
    np.add.at(present, cell, present_counts)
    share_sums = np.zeros((n_cells, n_frames))
    np.add.at(share_sums, cell, arrays.shares * w[:, None] if arrays.weights is not None else arrays.shares)
    counts = np.zeros((n_cells, n_stances), dtype=np.int64)
    has = stance >= 0
    np.add.at(counts, (cell[has], stance[has]), w[has])
    n = np.bincount(cell, weights=w, minlength=n_cells).astype(np.int64)
    return CellCounts(n, present, share_sums, counts)
