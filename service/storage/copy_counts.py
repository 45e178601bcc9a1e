"""Syndicated copies of a stored comparison, found from the cluster members and counted by id.

A copy is every selected article of a unit (outlet, or the outlet's ``group_by`` value) × ingest-time
cluster after the first (lowest id), as ``comparison.copies.count_copies`` decides. The cluster
members (``fetch_cluster_members``: every selected article of a cluster with two or more) already
say which articles those are, so the counting query no longer ranks clustered articles itself (a
window over the clustered rows and a second join of them with every classification: ~0.2 s at
100,000 articles even when, with outlets as units, no article is a copy). The copies' own labels
are then read by id (a few thousand rows at most) and moved from ``is_copy`` 0 to 1 in the counted
rows, as the counting query used to do in SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import BigInteger, any_, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from service.storage.frame_summary import positions, share_at
from service.storage.tables import Article, Classification

_CHUNK = 1000
#: What a counted cell is grouped by (with the presence mask): shared with ``label_counts``.
CELL_KEYS = (
    Article.outlet_id,
    Article.event_id,
    Classification.dominant_frame,
    Classification.stance_label,
    Classification.stance_target,
    Classification.codebook_hash,
    Classification.frame_mask,
)
#: Planner settings for the lookup by id (one process, nested loops over the indexes), and back.
_LOOKUPS = (
    "enable_nestloop = on",
    "enable_hashjoin = off",
    "enable_mergejoin = off",
    "max_parallel_workers_per_gather = 0",
)
_SCANS = (  # as ``stored_counts`` sets them for its scans
    "enable_nestloop = off",
    "enable_hashjoin = on",
    "enable_mergejoin = on",
    "max_parallel_workers_per_gather = DEFAULT",
)


def copy_article_ids(members: np.ndarray, unit_of: Mapping[int, str | None] | None) -> list[int]:
    """Ids of the copies among ``members`` (``fetch_cluster_members`` rows), in id order.

    Within each unit × cluster every member after the lowest id is a copy. Members of a cluster
    that has only one selected article are not listed, and that article is no copy either.
    """
    aid, _, _, first = _ranked(members, unit_of)
    return np.sort(aid[~first]).tolist()


def first_of_clusters(
    members: np.ndarray, unit_of: Mapping[int, str | None] | None
) -> dict[tuple[Any, int], int]:
    """``(unit, cluster) -> lowest member id``: which clustered article of a unit is no copy (an
    article whose cluster is not listed is the only selected one of its cluster, so no copy)."""
    aid, unit, cluster, first = _ranked(members, unit_of)
    return {
        (u, c): a
        for u, c, a in zip(unit[first].tolist(), cluster[first].tolist(), aid[first].tolist(), strict=True)
    }


def _ranked(
    members: np.ndarray, unit_of: Mapping[int, str | None] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Members' ids, units (outlet ids or groups), clusters, and whether each is its unit × cluster's
    lowest id, sorted by cluster, unit, id."""
    if len(members) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty, np.empty(0, dtype=bool)
    cluster = members[:, 0].astype(np.int64)
    aid = members[:, 1].astype(np.int64)
    outlet = members[:, 2].astype(np.int64)
    if unit_of is None:
        unit, code = outlet, outlet
    else:
        codes: dict[Any, int] = {}
        groups = [unit_of.get(o) for o in outlet.tolist()]
        unit = np.array(groups, dtype=object)
        code = np.array([codes.setdefault(g, len(codes)) for g in groups], dtype=np.int64)
    order = np.lexsort((aid, code, cluster))
    c, u = cluster[order], code[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (c[1:] != c[:-1]) | (u[1:] != u[:-1])
    return aid[order], unit[order], c, first


def fetch_copy_rows(
    session: Session,
    model_version: str,
    article_ids: Sequence[int],
    *,
    frame_keys: Sequence[str],
    target: str | None = None,
    **filters: Any,
) -> list[tuple[Any, ...]]:
    """The copies' labels by cell × presence mask: ``(outlet_id, event_id, dominant_frame, stance,
    stance_target, codebook_hash, mask, n, *share sums)`` in ``frame_keys`` order (a key may repeat
    across id chunks; ``move_copies`` adds them up)."""
    from service.storage.label_counts import selected  # label_counts imports this module

    if not article_ids:
        return []
    dialect = session.get_bind().dialect.name
    keys = list(CELL_KEYS)
    sums = [func.sum(share_at(dialect, p)) for p in positions(frame_keys)]
    connection = session.connection()
    if dialect == "postgresql":  # a few thousand ids: index lookups, not scans of every article
        # (left to itself the planner scanned every classification, or every article in parallel
        # workers: 271 ms and 74 ms for 2,110 copies at 100,000 articles)
        for setting in _LOOKUPS:
            connection.execute(text(f"SET LOCAL {setting}"))
    rows: list[tuple[Any, ...]] = []
    try:
        # PostgreSQL: one statement, the ids as one array (an IN list of 1,000 was a parallel scan
        # of every article per chunk); SQLite: chunks under its bound-parameter limit.
        step = len(article_ids) if dialect == "postgresql" else _CHUNK
        for start in range(0, len(article_ids), step):
            chunk = [int(aid) for aid in article_ids[start : start + step]]
            if dialect == "postgresql":
                among = Article.id == any_(bindparam("copy_ids", chunk, type_=ARRAY(BigInteger)))
            else:
                among = Article.id.in_(chunk)
            stmt = select(*keys, func.count(), *sums).select_from(Classification)
            stmt = selected(stmt, model_version, target, filters).where(among)
            rows.extend(tuple(row) for row in connection.execute(stmt.group_by(*keys)))
    finally:
        if dialect == "postgresql":  # the comparison's other reads keep hash joins (see stored_counts)
            for setting in _SCANS:
                connection.execute(text(f"SET LOCAL {setting}"))
    return rows


def move_copies(
    cells: Sequence[Sequence[Any]],
    patterns: Sequence[Sequence[Any]],
    copies: Sequence[Sequence[Any]],
    bits: Sequence[int],
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Counted rows with the ``copies`` (``fetch_copy_rows``) moved from ``is_copy`` 0 to 1.

    ``cells``: ``(outlet_id, event_id, dominant_frame, stance, stance_target, codebook_hash,
    is_copy, n, n_unsigned, *present, *share_sums)``; ``patterns``: ``(outlet_id, event_id,
    is_copy, mask, n)``; every article counted as an original (``is_copy`` 0). ``bits[j]`` is frame
    j's bit in the mask. A copy is clustered, hence signed: ``n_unsigned`` is unchanged. Rows left
    with no article keep ``n`` 0 (the reader drops them); subtracted share sums may carry rounding
    residues (the reader clamps them into [0, n]).
    """
    if not copies:
        return list(map(tuple, cells)), list(map(tuple, patterns))
    n_frames = len(bits)
    moved: dict[tuple[Any, ...], list[Any]] = {}
    moved_patterns: dict[tuple[Any, Any, int], int] = {}
    for row in copies:
        key, mask, n, share_sums = tuple(row[:6]), int(row[6]), int(row[7]), row[8:]
        acc = moved.get(key)
        if acc is None:
            acc = moved[key] = [0] * (1 + n_frames) + [0.0] * n_frames
        acc[0] += n
        for j, bit in enumerate(bits):
            if mask & bit:
                acc[1 + j] += n
            acc[1 + n_frames + j] += share_sums[j] or 0.0
        pattern = (row[0], row[1], mask)
        moved_patterns[pattern] = moved_patterns.get(pattern, 0) + n
    out_cells = []
    for row in cells:
        acc = moved.get(tuple(row[:6]))
        if acc is None:
            out_cells.append(tuple(row))
            continue
        present = [row[9 + j] - acc[1 + j] for j in range(n_frames)]
        shares = [(row[9 + n_frames + j] or 0.0) - acc[1 + n_frames + j] for j in range(n_frames)]
        out_cells.append((*row[:7], row[7] - acc[0], row[8], *present, *shares))
    out_cells += [(*key, 1, acc[0], 0, *acc[1:]) for key, acc in moved.items()]
    out_patterns = [
        (o, e, copy, mask, n - moved_patterns.get((o, e, int(mask)), 0)) for o, e, copy, mask, n in patterns
    ]
    out_patterns += [(o, e, 1, mask, n) for (o, e, mask), n in moved_patterns.items()]
    return out_cells, out_patterns
