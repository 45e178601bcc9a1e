"""Comparisons over many stored articles, aggregated in SQL: weighted label patterns, clusters, a text sample.

``fetch_label_counts`` returns one row per outlet × event × frame-presence pattern × dominant frame ×
stance (with the count and the summed shares) instead of one row per article, so a comparison of a
million articles reads a few thousand rows. Syndicated copies are flagged exactly as
``comparison.copies.count_copies`` would on ingest-time clusters: within a unit (outlet, or the
outlet's ``group_by`` value) and a cluster, every article after the first (lowest id) is a copy
(``service.storage.copy_counts``, from the cluster members).
Distinctive terms read a seeded sample of texts per unit (``service.storage.text_sample``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import BigInteger, Select, Text, case, cast, func, literal, select, tuple_
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from service.storage.classified_rows import article_filters
from service.storage.copy_counts import CELL_KEYS, move_copies
from service.storage.frame_summary import MAX_MASK_FRAMES, positions, share_at
from service.storage.tables import Article, ArticleSignature, Classification, Event, Outlet


def outlet_table(session: Session) -> dict[int, dict[str, Any]]:
    """Every outlet: id -> key and attributes (with country and language), as ``group_by`` reads them."""
    rows = session.execute(select(Outlet.id, Outlet.key, Outlet.country, Outlet.language, Outlet.attributes))
    return {
        oid: {"key": key, "attributes": {**(attrs or {}), "country": country, "language": language}}
        for oid, key, country, language, attrs in rows
    }


def unit_column(unit_of: Mapping[int, str | None] | None) -> Any:
    """The unit of an article: its outlet id, or its outlet's group (NULL: outlet without a group)."""
    if unit_of is None:
        return Article.outlet_id
    grouped = {oid: g for oid, g in unit_of.items() if g not in (None, "")}
    if not grouped:
        return literal(None, Outlet.key.type)
    return case(grouped, value=Article.outlet_id, else_=literal(None, Outlet.key.type))


def selected(stmt: Select, model_version: str, target: str | None, filters: Mapping[str, Any]) -> Select:
    """Join outlets and events, keep one model version's results, the filters and the stance target."""
    stmt = (
        stmt.join(Article, Classification.article_id == Article.id)
        .join(Outlet, Article.outlet_id == Outlet.id)
        .outerjoin(Event, Article.event_id == Event.id)
        .where(Classification.model_version == model_version)
    )
    if target is not None:
        stmt = stmt.where(Classification.stance_target == target)
    return article_filters(
        stmt,
        filters.get("outlets"),
        filters.get("event"),
        filters.get("published_from"),
        filters.get("published_to"),
        filters.get("precision"),
    )


_MEMBERS_CHUNK = 20_000

CELL_COLUMNS = (
    "outlet_id",
    "event_id",
    "dominant_frame",
    "stance",
    "stance_target",
    "codebook_hash",
    "is_copy",
    "n",
    "n_unsigned",
    "present",
    "share_sums",
)
PATTERN_COLUMNS = ("outlet_id", "event_id", "is_copy", "present", "n")


def fetch_label_counts(
    session: Session,
    model_version: str,
    *,
    frame_keys: Sequence[str],
    unit_of: Mapping[int, str | None] | None = None,
    copies: Callable[[], Sequence[Sequence[Any]]] | None = None,
    target: str | None = None,
    outlets: Sequence[str] | None = None,
    event: str | Sequence[str] | None = None,
    published_from: datetime | None = None,
    published_to: datetime | None = None,
    precision: Sequence[str] | None = None,
) -> dict[str, dict[str, Any]]:
    """Two tables of counts as columns (lists; the patterns' ``present`` and ``n`` numpy arrays),
    for ``comparison.LabelCounts``.

    ``cells`` (``CELL_COLUMNS``): per outlet × event × dominant frame × stance × stance target ×
    codebook hash × copy flag, ``n`` articles, ``n_unsigned`` of them without an ingest-time
    signature (stored before revision 0007), ``present`` (articles using each frame) and
    ``share_sums``. ``patterns`` (``PATTERN_COLUMNS``): per outlet × event × copy flag × frame
    presence pattern, ``n`` articles (the divergence bootstrap resamples whole articles). A few
    thousand rows whatever the number of articles (patterns: at most 2**frames per outlet × event).

    Per article: its presence bit mask and shares, stored on its classification row at write time
    (``service.storage.frame_summary``: one row per article, no frame rows). SQL first groups by
    cell × presence mask, the finer grain (hashed in memory over a narrow row; grouping the wide
    per-article rows by both sets at once sorted 200 MB on disk at a million), then sums both
    tables from those rows: PostgreSQL in one pass (``GROUPING SETS``), SQLite in two. Every article
    is counted as an original (a plain scan PostgreSQL can aggregate in parallel workers);
    ``copies``, called once the counts are read, gives the syndicated copies' own rows
    (``service.storage.copy_counts``: found from the cluster members, possibly on another
    connection), which are moved to ``is_copy`` 1.
    """
    filters = {
        "outlets": outlets,
        "event": event,
        "published_from": published_from,
        "published_to": published_to,
        "precision": precision,
    }
    if len(frame_keys) > MAX_MASK_FRAMES:
        raise ValueError(f"at most {MAX_MASK_FRAMES} frames fit the presence bit mask")
    dialect = session.get_bind().dialect.name
    where = positions(frame_keys)  # frame_keys[j] is at where[j] in the stored summary
    stmt = select(Classification.id).select_from(Classification)
    stmt = stmt.outerjoin(ArticleSignature, ArticleSignature.article_id == Classification.article_id)
    stmt = selected(stmt, model_version, target, filters)
    unsigned = case((ArticleSignature.n_shingles.is_(None), 1), else_=0)
    labels = [*CELL_COLUMNS[:6], "mask"]
    # by cell × mask, every article an original (``copies`` are moved afterwards)
    fine = (
        stmt.with_only_columns(
            *[k.label(name) for k, name in zip(CELL_KEYS, labels, strict=True)],
            literal(0).label("is_copy"),
            func.count().label("n"),
            func.sum(unsigned).label("n_unsigned"),
            *[func.sum(share_at(dialect, p)).label(f"s{j}") for j, p in enumerate(where)],
        )
        .group_by(*CELL_KEYS)
        .subquery("fine")
    )
    f = fine.c
    cell_keys = [f[name] for name in CELL_COLUMNS[:7]]
    pattern_keys = [f.outlet_id, f.event_id, f.is_copy, f.mask]
    counts = [f.n, f.n_unsigned, *[((f.mask // (1 << p)) % 2) * f.n for p in where]]
    aggregates = [cast(func.sum(c), BigInteger) for c in counts]  # ints, not numeric -> Decimal
    aggregates += [func.sum(f[f"s{j}"]) for j in range(len(where))]
    cells: dict[str, list[Any]] = {name: [] for name in CELL_COLUMNS}
    patterns: dict[str, Any] = {name: [] for name in PATTERN_COLUMNS}
    n_frames = len(where)
    bits = [1 << p for p in where]

    def add_cell(row: Any) -> None:
        if not row[7]:  # every article of the cell was a copy: moved to is_copy 1
            return
        for name, value in zip(CELL_COLUMNS[:7], row[:7], strict=True):
            cells[name].append(value)
        cells["n"].append(int(row[7]))
        cells["n_unsigned"].append(int(row[8] or 0))
        cells["present"].append([int(v) for v in row[9 : 9 + n_frames]])
        # Copies subtracted from all articles leave rounding residues (-3e-16 for a sum of zero):
        # a sum of shares in [0, 1] lies in [0, n].
        n = int(row[7])
        cells["share_sums"].append([min(max(v or 0.0, 0.0), n) for v in row[9 + n_frames :]])

    def add_patterns(rows: Sequence[Sequence[Any]]) -> None:
        """``(outlet_id, event_id, is_copy, mask, n)`` rows, columns at once: ~17,000 at 100,000."""
        if not rows:
            return
        outlet_ids, event_ids, copies, masks, ns = zip(*rows, strict=True)
        n = np.array(ns, dtype=np.int64)
        keep = np.flatnonzero(n)
        patterns["outlet_id"] = [outlet_ids[i] for i in keep]
        patterns["event_id"] = [event_ids[i] for i in keep]
        patterns["is_copy"] = [copies[i] for i in keep]
        mask = np.array(masks, dtype=np.int64)[keep]
        patterns["present"] = (mask[:, None] & np.array(bits, dtype=np.int64)) != 0
        patterns["n"] = n[keep]

    # Core rows on the session's connection: the ORM's result machinery cost ~0.1 s per 20,000 rows.
    connection = session.connection()
    if dialect == "postgresql":  # both tables from one pass over the grouped rows
        both = func.grouping_sets(tuple_(*cell_keys), tuple_(*pattern_keys))
        which = func.grouping(f.mask)  # 1: mask not grouped, a cell row
        # A pattern row needs only n: NULL the rest (at a million, ~25,000 pattern rows x 18 values)
        only_cells = [aggregates[0]] + [case((which == 1, agg)) for agg in aggregates[1:]]
        stmt = select(which.label("cell"), *cell_keys, f.mask, *only_cells).group_by(both)
        cell_rows, pattern_rows = [], []
        for row in connection.execute(stmt):  # not a cursor: PostgreSQL runs no parallel workers for one
            if row[0]:
                cell_rows.append(row[1:8] + row[9:])
            else:
                pattern_rows.append((row[1], row[2], row[7], row[8], row[9]))
    else:
        cell_rows = connection.execute(select(*cell_keys, *aggregates).group_by(*cell_keys)).all()
        pattern_rows = connection.execute(select(*pattern_keys, func.sum(f.n)).group_by(*pattern_keys)).all()
    if copies is not None:
        cell_rows, pattern_rows = move_copies(cell_rows, pattern_rows, copies(), bits)
    for row in cell_rows:
        add_cell(row)
    add_patterns(pattern_rows)
    return {"cells": cells, "patterns": patterns}


def fetch_cluster_members(
    session: Session,
    model_version: str,
    *,
    unit_of: Mapping[int, str | None] | None = None,
    target: str | None = None,
    **filters: Any,
) -> np.ndarray:
    """``(cluster, article_id, outlet_id, similarity)`` rows (an ``n x 4`` float array, similarity NaN
    when unknown) of the selected articles whose ingest-time cluster has two or more of them (with
    ``unit_of``: of the grouped ones), in article id order. At a million articles that is
    ~160,000 members: one array of 5 MB, never ~25 MB of row tuples (PostgreSQL sends them as four
    joined texts in one row; SQLite streams them)."""
    stmt = select(
        ArticleSignature.cluster_id.label("cluster"),
        Article.id.label("aid"),
        Article.outlet_id.label("outlet_id"),
        ArticleSignature.similarity.label("similarity"),
    ).select_from(Classification)
    stmt = stmt.join(ArticleSignature, ArticleSignature.article_id == Classification.article_id)
    stmt = selected(stmt, model_version, target, filters).where(ArticleSignature.cluster_id.is_not(None))
    if unit_of is not None:
        stmt = stmt.where(unit_column(unit_of).is_not(None))
    size = func.count().over(partition_by=ArticleSignature.cluster_id)
    members = stmt.add_columns(size.label("size")).subquery()  # one scan: a window, not an IN (...)
    m = members.c
    if session.get_bind().dialect.name == "postgresql":
        # Four comma-joined texts, one row: ~160,000 members at a million arrive as ~5 MB of text
        # parsed by numpy, instead of streaming Row objects through the ORM (~2 s of Python there).
        # float8 prints as its shortest exact decimal, so the values round-trip exactly.
        order = literal(",")
        joined = [
            func.string_agg(func.coalesce(cast(c, Text), "NaN"), aggregate_order_by(order, m.aid))
            for c in (m.cluster, m.aid, m.outlet_id, m.similarity)
        ]
        texts = session.execute(select(*joined).where(m.size > 1)).one()
        if texts[0] is None:
            return np.empty((0, 4))
        return np.column_stack([np.array(t.split(","), dtype=float) for t in texts])
    rows = session.execute(
        select(m.cluster, m.aid, m.outlet_id, m.similarity)
        .where(m.size > 1)
        .order_by(m.aid)
        .execution_options(yield_per=_MEMBERS_CHUNK)
    )
    # Streamed (a server-side cursor) in slices of plain tuples: fetched at once, the ~160,000
    # rows of a million articles were ~40 MiB of Python objects; numpy probing Row objects for
    # array attributes cost 6 s per million. PostgreSQL plans the cursor for all its rows
    # (``cursor_tuple_fraction``, see ``stored_counts``), not for its first ones.
    parts = [np.array([tuple(row) for row in part], dtype=float).reshape(-1, 4) for part in rows.partitions()]
    return np.concatenate(parts) if parts else np.empty((0, 4))
