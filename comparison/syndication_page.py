"""A bounded syndication table: totals, counts per unit and one page of the largest clusters.

A stored comparison of a million articles had 82,000 clusters; listing them all made the answer,
its manifest hash and the worker's memory grow with the collection (372 MiB, issue 13). The
statistics never need the list (copies are flagged per article before counting), readers mostly
want the largest clusters and how much each unit reprints, and the full list stays reachable page
by page. Built from flat arrays of cluster members, so the caller never holds one object per cluster.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from comparison.syndication import SyndicationCluster, SyndicationResult

ORDER = "n_articles descending, then cluster"


@dataclass(frozen=True)
class SyndicationPage(SyndicationResult):
    """``clusters`` is one page (``offset``, ``limit``) of all ``n_clusters`` in ``ORDER``.

    ``cluster`` numbers are the clusters' ranks by first (lowest) article id among all of them, as
    the per-article path numbers them, so a cluster keeps its number on every page.
    """

    n_clusters: int = 0
    n_clustered: int = 0  # articles in some cluster
    offset: int = 0
    limit: int | None = None
    unit_rows: tuple[dict[str, Any], ...] = field(default=())

    @property
    def n_copies(self) -> int:
        return self.n_clustered - self.n_clusters

    def tables(self, unit: str = "outlet") -> dict[str, list[dict[str, Any]]]:
        rows = [c.row(unit) for c in self.clusters]
        return {"syndication": rows, "syndication_units": list(self.unit_rows)}

    def page(self) -> dict[str, Any]:
        """Totals and where this page sits, for the answer's metadata."""
        end = self.offset + len(self.clusters)
        return {
            "n_clusters": self.n_clusters,
            "n_clustered_articles": self.n_clustered,
            "n_copies": self.n_copies,
            "offset": self.offset,
            "limit": self.limit,
            "order": ORDER,
            "next_offset": end if end < self.n_clusters else None,
        }


def page_clusters(
    cluster: np.ndarray,
    article_id: np.ndarray,
    unit: Sequence[str],
    outlet: Sequence[str],
    similarity: np.ndarray,
    *,
    n_checked: int,
    threshold: float,
    n_words: int,
    method: str,
    offset: int = 0,
    limit: int | None = None,
) -> SyndicationPage:
    """The page of clusters ``[offset, offset + limit)`` (all with ``limit=None``) and the totals.

    Parameters
    ----------
    cluster, article_id, unit, outlet, similarity
        One entry per member of a cluster with two or more members, in article id order; ``unit``
        is the compared unit (outlet or group), ``similarity`` NaN where unknown (a cluster's first).

    Notes
    -----
    ``syndication_units`` has one row per unit: ``n_clusters`` it has articles in, ``n_articles``
    of its articles in clusters, and ``n_copies``, the articles beyond its first in each cluster
    (what ``syndicated=once`` leaves out of that unit).
    """
    ids = np.asarray(cluster, dtype=np.int64)
    if ids.size == 0:
        page = SyndicationPage((), (), threshold, n_words, n_checked, method, offset=offset, limit=limit)
        return page
    keys, first_at, sizes = np.unique(ids, return_index=True, return_counts=True)
    number = np.empty(keys.size, dtype=np.int64)
    number[np.argsort(first_at, kind="stable")] = np.arange(1, keys.size + 1)  # rank by first article
    order = np.lexsort((number, -sizes))
    stop = keys.size if limit is None else offset + limit
    chosen = order[offset:stop]
    members: dict[int, list[int]] = {int(k): [] for k in keys[chosen]}
    for i in np.flatnonzero(np.isin(ids, keys[chosen])):
        members[int(ids[i])].append(int(i))
    clusters = []
    for j in chosen:
        rows = members[int(keys[j])]
        scores = [float(similarity[i]) for i in rows if not np.isnan(similarity[i])]
        clusters.append(
            SyndicationCluster(
                int(number[j]),
                tuple(int(article_id[i]) for i in rows),
                tuple(sorted({outlet[i] for i in rows})),
                tuple(sorted({unit[i] for i in rows})),
                round(min(scores), 4) if scores else 1.0,
            )
        )
    return SyndicationPage(
        tuple(clusters),
        (),
        threshold,
        n_words,
        n_checked,
        method,
        n_clusters=int(keys.size),
        n_clustered=int(ids.size),
        offset=offset,
        limit=limit,
        unit_rows=tuple(_unit_rows(ids, unit)),
    )


def _unit_rows(ids: np.ndarray, unit: Sequence[str]) -> list[dict[str, Any]]:
    names = np.asarray(unit, dtype=object)
    by_unit: Mapping[str, np.ndarray] = {u: ids[names == u] for u in sorted(set(unit))}
    rows = []
    for name, clusters in by_unit.items():
        n_clusters = int(np.unique(clusters).size)
        rows.append(
            {
                "outlet": name,
                "n_clusters": n_clusters,
                "n_articles": int(clusters.size),
                "n_copies": int(clusters.size) - n_clusters,
            }
        )
    return rows
