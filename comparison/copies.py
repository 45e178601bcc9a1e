"""Counting syndicated copies once per unit: clusters detected from texts, or read from the records."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from comparison.errors import InvalidParameterError
from comparison.records import ArticleRecord
from comparison.syndication import N_WORDS, THRESHOLD, SyndicationCluster, SyndicationResult, find_syndication

SyndicationSource = Literal["texts", "records", "flags"]
SYNDICATION_SOURCES = ("texts", "records", "flags")


def clusters_from_records(
    records: Sequence[ArticleRecord], threshold: float = THRESHOLD
) -> SyndicationResult:
    """Clusters named by the records' ``syndication_cluster`` (assigned at ingest), as a detection result.

    Only clusters with at least two of these records count; they are numbered from 1 in order of
    their first record, like detected ones. ``min_similarity`` is the lowest similarity a member
    had when it joined (the cluster's first article has none).
    """
    members: dict[Any, list[int]] = {}
    for i, r in enumerate(records):
        if r.syndication_cluster is not None:
            members.setdefault(r.syndication_cluster, []).append(i)
    groups = sorted((m for m in members.values() if len(m) > 1), key=lambda m: m[0])
    cluster_of: list[int | None] = [None] * len(records)
    clusters = []
    for number, m in enumerate(groups, start=1):
        for i in m:
            cluster_of[i] = number
        scores = [s for i in m if (s := records[i].syndication_similarity) is not None]
        clusters.append(
            SyndicationCluster(
                number,
                tuple(_article_id(records[i], i) for i in m),
                tuple(sorted({records[i].source_outlet or records[i].outlet for i in m})),
                tuple(sorted({records[i].outlet for i in m})),
                round(min(scores), 4) if scores else 1.0,
            )
        )
    return SyndicationResult(
        tuple(clusters), tuple(cluster_of), threshold, N_WORDS, len(records), method="stored-at-ingest"
    )


def count_copies(
    records: list[ArticleRecord],
    syndicated: str,
    threshold: float,
    source: SyndicationSource = "texts",
    found: SyndicationResult | None = None,
) -> tuple[list[ArticleRecord], SyndicationResult | None]:
    """Find copies; with ``"once"`` keep only the first article of each cluster within each unit.

    ``source="flags"``: the records were aggregated by a reader that already knew the clusters; it
    marked every copy after a unit's first article ``is_copy`` and hands its clusters over as
    ``found`` (``None``: no cluster), so copies are dropped by flag, not found again.
    """
    if source not in SYNDICATION_SOURCES:
        raise InvalidParameterError(
            f"syndication_source must be one of {SYNDICATION_SOURCES}, got {source!r}"
        )
    if syndicated == "off":
        return records, None
    if source == "flags":
        if syndicated == "each":
            return records, found
        return [r for r in records if not r.is_copy], found
    if source == "records":
        found = clusters_from_records(records, threshold)
    else:
        found = find_syndication(
            [r.text for r in records],
            [_article_id(r, i) for i, r in enumerate(records)],
            [r.source_outlet or r.outlet for r in records],
            units=[r.outlet for r in records],
            threshold=threshold,
        )
    if syndicated == "each" or not found.clusters:
        return records, found
    seen: set[tuple[int, str]] = set()
    kept = []
    for r, cluster in zip(records, found.cluster_of, strict=True):
        if cluster is not None:
            if (cluster, r.outlet) in seen:
                continue
            seen.add((cluster, r.outlet))
        kept.append(r)
    return kept, found


def _article_id(record: ArticleRecord, position: int) -> Any:
    return record.article_id if record.article_id is not None else position
