"""Reads over many classified articles: comparison rows, version coverage, stored model versions.

Comparisons over 10k-100k articles call ``fetch_classified_rows``: one SQL query that pivots the
``article_frames`` rows of one model version into one row per article (no ORM objects).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from classifiers import ModelRef
from service.storage.outlets import outlet_matches
from service.storage.tables import Article, ArticleFrame, ArticleSignature, Classification, Event, Outlet


@dataclass(frozen=True)
class StoredVersion:
    """What one stored model version labelled with: its model reference and frame keys (stored order)."""

    model: ModelRef
    frame_keys: tuple[str, ...]


def stored_version(session: Session, model_version: str) -> StoredVersion | None:
    """The model reference and frame keys of ``model_version``'s stored results (None if it has none).

    Every result of one version has the same frames (one codebook), so one classification's rows
    tell them; this stays one index lookup however many articles the version labelled.
    """
    first = (
        select(func.min(Classification.id))
        .where(Classification.model_version == model_version)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Classification.codebook_key, Classification.codebook_hash, ArticleFrame.frame_key)
        .outerjoin(ArticleFrame, ArticleFrame.classification_id == Classification.id)
        .where(Classification.id == first)
        .order_by(ArticleFrame.frame_key)
    ).all()
    if not rows:
        return None
    codebook_key, codebook_hash = rows[0][0], rows[0][1]
    keys = tuple(key for _, _, key in rows if key is not None)
    return StoredVersion(ModelRef(model_version, codebook_key, codebook_hash), keys)


def stored_model_versions(session: Session) -> list[dict[str, Any]]:
    """Model versions with stored results: version, codebook hash, number of articles, newest first."""
    stmt = (
        select(
            Classification.model_version,
            Classification.codebook_key,
            Classification.codebook_hash,
            func.count(),
            func.max(Classification.created_at),
        )
        .group_by(Classification.model_version, Classification.codebook_key, Classification.codebook_hash)
        .order_by(func.max(Classification.created_at).desc(), Classification.model_version)
    )
    return [
        {"version": v, "codebook": k, "codebook_hash": h, "n_articles": n, "last_stored_at": at}
        for v, k, h, n, at in session.execute(stmt)
    ]


def fetch_classified_rows(
    session: Session,
    model_version: str,
    *,
    frame_keys: Sequence[str],
    outlets: Sequence[str] | None = None,
    event: str | Sequence[str] | None = None,
    published_from: datetime | None = None,
    published_to: datetime | None = None,
    precision: Sequence[str] | None = None,
    text_chars: int | None = None,
) -> list[dict[str, Any]]:
    """Plain dicts (one per classified article) shaped for ``comparison.ArticleRecord``.

    Keys: ``article_id``, ``outlet``, ``outlet_attributes`` (attributes, country, language), ``event``,
    ``signed`` (a signature was stored at ingest), ``syndication_cluster``, ``syndication_similarity``,
    ``published_at``, ``text``, ``dominant_frame``,
    ``stance``, ``stance_target``, ``codebook_hash``, ``frames`` (frame -> present) and ``shares``
    (frame -> share), for the ``frame_keys`` asked for (see ``stored_version``). Only rows of one
    model version are returned, so a comparison never mixes models. ``text_chars`` reads only the
    first characters of each text (0: none), which is all the distinctive-vocabulary statistic uses
    by default; the database does the cutting.

    One query: the article columns with the version's frame rows pivoted per classification.
    """
    if text_chars is None:
        text_column: Any = Article.text
    elif text_chars <= 0:
        text_column = literal("")
    else:
        text_column = func.substr(Article.text, 1, text_chars)
    stmt: Select = (
        select(
            Article.id,
            Outlet.key,
            Event.key,
            Article.published_at,
            text_column,
            Classification.dominant_frame,
            Classification.stance_label,
            Classification.stance_target,
            Classification.codebook_hash,
            Outlet.country,
            Outlet.language,
            Outlet.attributes,
            ArticleSignature.n_shingles,
            ArticleSignature.cluster_id,
            ArticleSignature.similarity,
        )
        .join(Article, Classification.article_id == Article.id)
        .join(Outlet, Article.outlet_id == Outlet.id)
        .outerjoin(Event, Article.event_id == Event.id)
        .outerjoin(ArticleSignature, ArticleSignature.article_id == Article.id)
        .where(Classification.model_version == model_version)
        .order_by(Article.id)
    )
    pivot = pivot_columns(frame_keys)
    if session.get_bind().dialect.name == "postgresql":
        # Aggregate over the join, grouped by the joined tables' primary keys (the other columns
        # may then be selected ungrouped). Joining an aggregated subquery instead risks a nested
        # loop that re-aggregates per article when statistics are stale (minutes at 10k articles).
        stmt = (
            stmt.add_columns(*pivot)
            .outerjoin(ArticleFrame, ArticleFrame.classification_id == Classification.id)
            .group_by(Classification.id, Article.id, Outlet.id, Event.id, ArticleSignature.article_id)
        )
    else:
        # SQLite would sort every row, texts included, for that GROUP BY (5x slower); the frame rows
        # aggregate in primary-key order in a subquery instead.
        frames = (
            select(ArticleFrame.classification_id, *pivot)
            .join(Classification, ArticleFrame.classification_id == Classification.id)
            .where(Classification.model_version == model_version)
            .group_by(ArticleFrame.classification_id)
            .subquery("frames")
        )
        stmt = stmt.add_columns(*list(frames.c)[1:]).outerjoin(
            frames, frames.c.classification_id == Classification.id
        )
    stmt = article_filters(stmt, outlets, event, published_from, published_to, precision)
    out = []
    for row in session.connection().execute(stmt):
        aid, outlet, event_key, published_at, text, dominant, stance, target, codebook_hash = row[:9]
        country, language, attributes, n_shingles, cluster, similarity = row[9:15]
        values = row[15:]
        stored = [(key, values[2 * j], values[2 * j + 1]) for j, key in enumerate(frame_keys)]
        out.append(
            {
                "article_id": aid,
                "outlet": outlet,
                "event": event_key,
                "published_at": published_at,
                "text": text,
                "dominant_frame": dominant,
                "stance": stance,
                "stance_target": target,
                "codebook_hash": codebook_hash,
                "frames": {key: bool(present) for key, present, share in stored if share is not None},
                "shares": {key: share for key, _, share in stored if share is not None},
                "outlet_attributes": {**(attributes or {}), "country": country, "language": language},
                "signed": n_shingles is not None,
                "syndication_cluster": cluster,
                "syndication_similarity": similarity,
            }
        )
    return out


def pivot_columns(frame_keys: Sequence[str]) -> list[Any]:
    """Two aggregates over ``article_frames`` per frame: present (0/1) and share (NULL without a row)."""
    pivot: list[Any] = []
    for j, key in enumerate(frame_keys):
        is_key = ArticleFrame.frame_key == key
        pivot.append(
            func.max(case((and_(is_key, ArticleFrame.present.is_(True)), 1), else_=0)).label(f"p{j}")
        )
        pivot.append(func.max(case((is_key, ArticleFrame.share), else_=None)).label(f"s{j}"))
    return pivot


def version_coverage(
    session: Session,
    *,
    outlets: Sequence[str] | None = None,
    event: str | Sequence[str] | None = None,
    published_from: datetime | None = None,
    published_to: datetime | None = None,
    precision: Sequence[str] | None = None,
) -> tuple[int, dict[str, int]]:
    """Number of matching articles, and per model version how many of them it has classified.

    A comparison by one version is complete only if that version covers every matching article;
    otherwise some articles carry labels only from another model, and comparing would silently drop
    or mix them.
    """
    base = _matching(outlets, event, published_from, published_to, precision)
    n_articles = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    ids = base.subquery()
    stmt = (
        select(Classification.model_version, func.count())
        .where(Classification.article_id.in_(select(ids.c.id)))
        .group_by(Classification.model_version)
    )
    return n_articles, {version: n for version, n in session.execute(stmt)}


def article_filters(
    stmt: Select,
    outlets: Sequence[str] | None,
    event: str | Sequence[str] | None,
    published_from: datetime | None,
    published_to: datetime | None,
    precision: Sequence[str] | None = None,
) -> Select:
    """The shared outlet/event/date filters (``Outlet`` and ``Event`` must be joined).

    ``precision`` keeps only articles dated at least that precisely (or undated): weekly trends
    leave out month-only dates rather than piling them on the month's first week."""
    if outlets:
        stmt = stmt.where(outlet_matches(outlets))  # keys or display names
    if isinstance(event, str):
        stmt = stmt.where(Event.key == event)
    elif event is not None:  # several events (an empty list: every article assigned to an event)
        stmt = stmt.where(Event.key.in_(list(event)) if event else Article.event_id.is_not(None))
    if published_from:
        stmt = stmt.where(Article.published_at >= published_from)
    if published_to:
        stmt = stmt.where(Article.published_at < published_to)
    if precision is not None:
        stmt = stmt.where(
            or_(Article.published_precision.in_(list(precision)), Article.published_precision.is_(None))
        )
    return stmt


def count_matching_articles(
    session: Session,
    *,
    outlets: Sequence[str] | None = None,
    event: str | Sequence[str] | None = None,
    published_from: datetime | None = None,
    published_to: datetime | None = None,
    precision: Sequence[str] | None = None,
) -> int:
    """How many stored articles match the filters (whatever labels them)."""
    base = _matching(outlets, event, published_from, published_to, precision)
    return session.scalar(select(func.count()).select_from(base.subquery())) or 0


def _matching(*filters: Any) -> Select:
    base = (
        select(Article.id)
        .join(Outlet, Article.outlet_id == Outlet.id)
        .outerjoin(Event, Article.event_id == Event.id)
    )
    return article_filters(base, *filters)
