"""Comparisons over many stored articles, aggregated in SQL: weighted label patterns, clusters, a text sample.

``fetch_label_counts`` returns one row per outlet × event × frame-presence pattern × dominant frame ×
stance (with the count and the summed shares) instead of one row per article, so a comparison of a
million articles reads a few thousand rows. Syndicated copies are flagged in SQL exactly as
``comparison.copies.count_copies`` would on ingest-time clusters: within a unit (outlet, or the
outlet's ``group_by`` value) and a cluster, every article after the first (lowest id) is a copy.
Distinctive terms read a seeded sample of texts per unit (``sample_text_ids``), never every text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, select
from sqlalchemy.orm import Session

from service.storage.classified_rows import article_filters, pivot_columns
from service.storage.tables import Article, ArticleFrame, ArticleSignature, Classification, Event, Outlet

#: The sample order: ``(id mod 2**32) * SAMPLE_MULTIPLIER + SAMPLE_INCREMENT mod 2**32``, a fixed
#: permutation of ids (an odd multiplier), computable in 64-bit integers on SQLite and PostgreSQL.
SAMPLE_MULTIPLIER = 1_103_515_245
SAMPLE_INCREMENT = 12_345
_M32 = 4_294_967_296


def outlet_table(session: Session) -> dict[int, dict[str, Any]]:
    """Every outlet: id -> key and attributes (with country and language), as ``group_by`` reads them."""
    rows = session.execute(select(Outlet.id, Outlet.key, Outlet.country, Outlet.language, Outlet.attributes))
    return {
        oid: {"key": key, "attributes": {**(attrs or {}), "country": country, "language": language}}
        for oid, key, country, language, attrs in rows
    }


def _unit_column(unit_of: Mapping[int, str | None] | None) -> Any:
    """The unit of an article: its outlet id, or its outlet's group (NULL: outlet without a group)."""
    if unit_of is None:
        return Article.outlet_id
    grouped = {oid: g for oid, g in unit_of.items() if g not in (None, "")}
    if not grouped:
        return literal(None, Outlet.key.type)
    return case(grouped, value=Article.outlet_id, else_=literal(None, Outlet.key.type))


def _selected(stmt: Select, model_version: str, target: str | None, filters: Mapping[str, Any]) -> Select:
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


def _copy_flag(unit: Any, cluster: Any, article_id: Any) -> Any:
    """1 for an article after the first (lowest id) of its cluster within its unit, else 0."""
    rank = func.row_number().over(partition_by=(unit, cluster), order_by=article_id)
    return case((and_(cluster.is_not(None), rank > 1), 1), else_=0)


LABEL_COLUMNS = (
    "outlet_id",
    "event_id",
    "dominant_frame",
    "stance",
    "stance_target",
    "codebook_hash",
    "is_copy",
    "present",
    "n",
    "n_unsigned",
    "share_sums",
)


def fetch_label_counts(
    session: Session,
    model_version: str,
    *,
    frame_keys: Sequence[str],
    unit_of: Mapping[int, str | None] | None = None,
    flag_copies: bool = True,
    target: str | None = None,
    outlets: Sequence[str] | None = None,
    event: str | Sequence[str] | None = None,
    published_from: datetime | None = None,
    published_to: datetime | None = None,
    precision: Sequence[str] | None = None,
) -> dict[str, list[Any]]:
    """Counted rows as columns (``LABEL_COLUMNS``): ``outlet_id``, ``event_id``, ``dominant_frame``,
    ``stance``, ``stance_target``, ``codebook_hash``, ``is_copy`` (0/1), ``present`` (a 0/1 per frame
    key), ``n`` (articles), ``n_unsigned`` (of them without an ingest-time signature, stored before
    revision 0007) and ``share_sums`` (summed shares per frame key). Plain lists: a million articles
    are at most a few hundred thousand rows, turned into arrays by the caller.

    Three nested statements: frames pivoted per classification (one grouped join, as in
    ``fetch_classified_rows``), the copy flag (a window over unit and cluster; ``unit_of`` maps
    outlet id -> group, ``None``: units are outlets), then ``GROUP BY`` the pattern.
    """
    pivot = pivot_columns(frame_keys)
    per_article = select(
        Article.id.label("aid"),
        Article.outlet_id.label("outlet_id"),
        Article.event_id.label("event_id"),
        _unit_column(unit_of).label("unit"),
        Classification.dominant_frame.label("dominant"),
        Classification.stance_label.label("stance"),
        Classification.stance_target.label("target"),
        Classification.codebook_hash.label("codebook_hash"),
        ArticleSignature.cluster_id.label("cluster"),
        case((ArticleSignature.n_shingles.is_(None), 1), else_=0).label("unsigned"),
        *pivot,
    ).select_from(Classification)
    per_article = per_article.outerjoin(
        ArticleSignature, ArticleSignature.article_id == Classification.article_id
    )
    filters = {
        "outlets": outlets,
        "event": event,
        "published_from": published_from,
        "published_to": published_to,
        "precision": precision,
    }
    per_article = _selected(per_article, model_version, target, filters)
    per_article = per_article.outerjoin(ArticleFrame, ArticleFrame.classification_id == Classification.id)
    per_article = per_article.group_by(Classification.id, Article.id, ArticleSignature.article_id).subquery()
    a = per_article.c
    flag = _copy_flag(a.unit, a.cluster, a.aid) if flag_copies else literal(0)
    keys = [a.outlet_id, a.event_id, a.dominant, a.stance, a.target, a.codebook_hash]
    presence = [a[f"p{j}"] for j in range(len(frame_keys))]
    shares = [a[f"s{j}"] for j in range(len(frame_keys))]
    flagged = select(*keys, *presence, *shares, a.unsigned, flag.label("copy")).subquery()
    f = flagged.c
    group = [f.outlet_id, f.event_id, f.dominant, f.stance, f.target, f.codebook_hash, f.copy]
    group += [f[f"p{j}"] for j in range(len(frame_keys))]
    sums = [func.sum(f[f"s{j}"]) for j in range(len(frame_keys))]
    stmt = select(*group, func.count(), func.sum(f.unsigned), *sums).group_by(*group)
    columns: dict[str, list[Any]] = {name: [] for name in LABEL_COLUMNS}
    n_keys = len(frame_keys)
    for row in session.execute(stmt):
        for name, value in zip(LABEL_COLUMNS[:7], row[:7], strict=True):
            columns[name].append(value)
        columns["present"].append(row[7 : 7 + n_keys])
        columns["n"].append(row[7 + n_keys])
        columns["n_unsigned"].append(row[8 + n_keys] or 0)
        columns["share_sums"].append([s or 0.0 for s in row[9 + n_keys :]])
    return columns


def fetch_cluster_members(
    session: Session,
    model_version: str,
    *,
    unit_of: Mapping[int, str | None] | None = None,
    target: str | None = None,
    **filters: Any,
) -> list[tuple[int, int, int, float | None]]:
    """``(cluster, article_id, outlet_id, similarity)`` of the selected articles whose ingest-time
    cluster has two or more of them (with ``unit_of``: of the grouped ones), in article id order."""
    stmt = select(
        ArticleSignature.cluster_id.label("cluster"),
        Article.id.label("aid"),
        Article.outlet_id.label("outlet_id"),
        ArticleSignature.similarity.label("similarity"),
    ).select_from(Classification)
    stmt = stmt.join(ArticleSignature, ArticleSignature.article_id == Classification.article_id)
    stmt = _selected(stmt, model_version, target, filters).where(ArticleSignature.cluster_id.is_not(None))
    if unit_of is not None:
        stmt = stmt.where(_unit_column(unit_of).is_not(None))
    members = stmt.subquery()
    shared = select(members.c.cluster).group_by(members.c.cluster).having(func.count() > 1)
    rows = session.execute(select(members).where(members.c.cluster.in_(shared)).order_by(members.c.aid))
    return [(c, aid, oid, sim) for c, aid, oid, sim in rows]


def sample_text_ids(
    session: Session,
    model_version: str,
    *,
    per_unit: int,
    unit_of: Mapping[int, str | None] | None = None,
    skip_copies: bool = True,
    target: str | None = None,
    **filters: Any,
) -> list[tuple[int, Any]]:
    """``(article_id, unit)`` (outlet id, or group) of at most ``per_unit`` articles per unit.

    The articles a comparison counts (copies skipped when ``skip_copies``), ranked within their unit
    by ``SAMPLE_MULTIPLIER * id + SAMPLE_INCREMENT mod 2**32`` (then id): the same request over the
    same articles reads the same texts, and a unit with at most ``per_unit`` articles is read whole.
    """
    unit = _unit_column(unit_of)
    cluster = ArticleSignature.cluster_id
    order = ((Article.id % _M32) * SAMPLE_MULTIPLIER + SAMPLE_INCREMENT) % _M32
    flag = _copy_flag(unit, cluster, Article.id) if skip_copies else literal(0)
    stmt = select(
        Article.id.label("aid"), unit.label("unit"), order.label("rank_key"), flag.label("copy")
    ).select_from(Classification)
    stmt = stmt.outerjoin(ArticleSignature, ArticleSignature.article_id == Classification.article_id)
    stmt = _selected(stmt, model_version, target, filters)
    if unit_of is not None:
        stmt = stmt.where(unit.is_not(None))
    kept = stmt.subquery()
    rank = func.row_number().over(partition_by=kept.c.unit, order_by=(kept.c.rank_key, kept.c.aid))
    ranked = select(kept.c.aid, kept.c.unit, rank.label("rank")).where(kept.c.copy == 0).subquery()
    rows = session.execute(
        select(ranked.c.aid, ranked.c.unit).where(ranked.c.rank <= per_unit).order_by(ranked.c.aid)
    )
    return [(aid, u) for aid, u in rows]


def fetch_text_heads(session: Session, article_ids: Sequence[int], n_chars: int) -> dict[int, str]:
    """The first ``n_chars`` characters of each article's text, by id (chunked ``IN`` lists)."""
    out: dict[int, str] = {}
    ids = list(article_ids)
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        stmt = select(Article.id, func.substr(Article.text, 1, n_chars)).where(Article.id.in_(chunk))
        out.update((aid, text or "") for aid, text in session.execute(stmt))
    return out
