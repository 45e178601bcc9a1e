"""Export reads: every matching article with its labels by one model version, in keyset chunks.

Each chunk is two queries (articles joined to outlet, event and classification; then their frame
rows), read as plain rows (no ORM objects, so the session's identity map never grows): an export of
any size holds one chunk in memory. Never commits.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from service.storage.articles import select_articles
from service.storage.tables import Article, ArticleFrame, Classification, Event, Outlet

EXPORT_CHUNK = 1000


def last_article_id(session: Session) -> int:
    """The newest article id: an export stops there, so articles added meanwhile never extend it."""
    return session.scalar(select(func.max(Article.id))) or 0


def outlet_attribute_keys(session: Session) -> list[str]:
    """Every attribute key any outlet has, sorted (the CSV export has one column per key)."""
    keys: set[str] = set()
    for (attributes,) in session.execute(select(Outlet.attributes)):
        keys.update(attributes or {})
    return sorted(keys)


def iter_export_chunks(
    session: Session,
    filters: Mapping[str, Any],
    *,
    model_version: str,
    after: int = 0,
    upto: int | None = None,
    evidence: bool = False,
    chunk_size: int = EXPORT_CHUNK,
) -> Iterator[list[dict[str, Any]]]:
    """Lists of export rows (id order) of the articles matching ``filters``, after id ``after``.

    ``filters`` are the article-list filters (``select_articles``); classification columns are
    ``model_version``'s result, or None where that version has none. ``evidence`` adds the stored
    evidence sentences with their offsets (the NDJSON export).
    """
    stored = aliased(Classification)  # the list filters correlate their own Classification subqueries
    columns = [
        Article.id,
        Outlet.key.label("outlet"),
        Outlet.name.label("outlet_name"),
        Outlet.attributes.label("outlet_attributes"),
        Event.key.label("event"),
        Article.url,
        Article.title,
        Article.author,
        Article.language,
        Article.word_count,
        Article.published_at,
        Article.published_precision,
        Article.created_at,
        Article.updated_at,
        stored.id.label("classification_id"),
        stored.model_version,
        stored.codebook_hash,
        stored.status,
        stored.n_sentences,
        stored.dominant_frame,
        stored.stance_target,
        stored.stance_label,
        stored.stance_scores,
    ]
    if evidence:
        columns.append(stored.evidence)
    base = select_articles(model_version=model_version, columns=columns, **filters)
    while True:
        # The id bounds go on the classification side of the join too: PostgreSQL merges the two
        # in id order, and without them it walks the (article_id, model_version) index from the
        # first article to reach ``after`` on every chunk (1,000,000 articles: 1.6 s per chunk at
        # the end instead of 14 ms, so an export took quadratic time).
        window = [stored.article_id > after] + ([stored.article_id <= upto] if upto is not None else [])
        stmt = (
            base.join(Outlet, Article.outlet_id == Outlet.id)
            .outerjoin(Event, Article.event_id == Event.id)
            .outerjoin(
                stored,
                and_(stored.article_id == Article.id, stored.model_version == model_version, *window),
            )
            .where(Article.id > after)
            .order_by(Article.id)
            .limit(chunk_size)
        )
        if upto is not None:
            stmt = stmt.where(Article.id <= upto)
        rows = [dict(row._mapping) for row in session.execute(stmt)]
        if not rows:
            return
        _attach_frames(session, rows)
        yield rows
        after = rows[-1]["id"]


def _attach_frames(session: Session, rows: list[dict[str, Any]]) -> None:
    by_classification = {r["classification_id"]: r for r in rows if r["classification_id"] is not None}
    for row in rows:
        row["frames"] = {}
    if not by_classification:
        return
    stmt = select(
        ArticleFrame.classification_id,
        ArticleFrame.frame_key,
        ArticleFrame.present,
        ArticleFrame.score,
        ArticleFrame.share,
    ).where(ArticleFrame.classification_id.in_(list(by_classification)))
    for cid, key, present, score, share in session.execute(stmt):
        by_classification[cid]["frames"][key] = {"present": present, "score": score, "share": share}
