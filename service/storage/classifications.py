"""Classification DAO: store classifier outputs and read them back for filters and comparisons.

Ingest (service.model.classify_stored_articles) calls ``store_classifications`` with
``ArticleClassification.to_dict()`` results; comparisons read with ``fetch_classified_rows``. One row per
article x model version in ``classifications``, one per frame in ``article_frames``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, select
from sqlalchemy import delete as sa_delete
from sqlalchemy.orm import Session

from service.storage.models import Article, ArticleFrame, Classification, Event, Outlet
from service.storage.upsert import insert_ignoring_conflicts

_CHUNK = 1000


def store_classifications(session: Session, results: Sequence[tuple[int, Mapping[str, Any]]]) -> int:
    """Store ``(article_id, ArticleClassification.to_dict())`` pairs; returns how many were new.

    A pair whose article already has a classification by the same model version is skipped (the
    model is deterministic, so the stored row is the same answer; concurrent writers cannot
    duplicate it: ``uq_classifications_article_id_model_version``).
    """
    rows, frames_by_article = [], {}
    for article_id, result in results:
        model = result.get("model") or {}
        stance = result.get("stance") or {}
        rows.append(
            {
                "article_id": article_id,
                "model_version": model["version"],
                "codebook_key": model.get("codebook", ""),
                "codebook_hash": model.get("codebook_hash", ""),
                "status": result["status"],
                "n_sentences": result.get("n_sentences", 0),
                "dominant_frame": result.get("dominant_frame"),
                "stance_target": stance.get("target"),
                "stance_label": stance.get("label"),
                "result": dict(result),
                "frame_summary": encode_frames(result.get("frames") or []),
            }
        )
        frames_by_article[(article_id, model["version"])] = result.get("frames") or []
    inserted = insert_ignoring_conflicts(
        session,
        Classification,
        rows,
        returning=[Classification.id, Classification.article_id, Classification.model_version],
    )
    frame_rows = [
        {
            "classification_id": cid,
            "article_id": aid,
            "frame_key": f["key"],
            "present": bool(f["present"]),
            "score": float(f["score"]),
            "share": float(f["share"]),
        }
        for cid, aid, version in inserted
        for f in frames_by_article[(aid, version)]
    ]
    insert_ignoring_conflicts(session, ArticleFrame, frame_rows)
    return len(inserted)


def unclassified_articles(
    session: Session,
    model_version: str,
    article_ids: Sequence[int] | None = None,
    *,
    limit: int | None = None,
) -> list[tuple[int, str, str]]:
    """``(id, title, text)`` of articles (all, or among ``article_ids``) with no ``model_version`` result."""
    done = select(Classification.id).where(
        Classification.article_id == Article.id, Classification.model_version == model_version
    )
    stmt = select(Article.id, Article.title, Article.text).where(~done.exists()).order_by(Article.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    if article_ids is None:
        return [tuple(row) for row in session.execute(stmt)]
    rows: list[tuple[int, str, str]] = []
    ids = sorted(set(article_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = stmt.where(Article.id.in_(ids[start : start + _CHUNK]))
        rows.extend(tuple(row) for row in session.execute(chunk))
    return rows


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


def delete_classifications(session: Session, article_id: int) -> None:
    """Forget an article's results (its text changed, so every stored answer is stale)."""
    session.execute(sa_delete(ArticleFrame).where(ArticleFrame.article_id == article_id))
    session.execute(sa_delete(Classification).where(Classification.article_id == article_id))


def classification_summaries(
    session: Session, article_ids: Sequence[int], model_version: str
) -> dict[int, dict[str, Any]]:
    """Article id -> short summary of its ``model_version`` result (for article responses)."""
    out: dict[int, dict[str, Any]] = {}
    ids = sorted(set(article_ids))
    for start in range(0, len(ids), _CHUNK):
        stmt = select(Classification.article_id, Classification.result).where(
            Classification.model_version == model_version,
            Classification.article_id.in_(ids[start : start + _CHUNK]),
        )
        for article_id, result in session.execute(stmt):
            stance = result.get("stance") or {}
            out[article_id] = {
                "status": result.get("status"),
                "frames": [f["key"] for f in result.get("frames") or [] if f.get("present")],
                "dominant_frame": result.get("dominant_frame"),
                "stance": {k: stance.get(k) for k in ("target", "label", "scores")},
                "model": result.get("model"),
            }
    return out


def encode_frames(frames: Sequence[Mapping[str, Any]]) -> str:
    """``key=present:share`` per frame, ``;``-joined: a compact copy of the frame rows for fast reads."""
    return ";".join(f"{f['key']}={int(bool(f['present']))}:{float(f['share'])!r}" for f in frames)


def decode_frames(summary: str) -> dict[str, tuple[bool, float]]:
    out: dict[str, tuple[bool, float]] = {}
    for part in summary.split(";") if summary else ():
        key, _, value = part.partition("=")
        present, _, share = value.partition(":")
        out[key] = (present == "1", float(share))
    return out


def classified_article_filter(
    model_version: str,
    *,
    frame: str | None = None,
    stance: str | None = None,
    stance_target: str | None = None,
) -> Any:
    """SQL condition on ``Article`` for "classified by ``model_version`` [with ``frame`` present]
    [and stance label ``stance``] [toward ``stance_target``]", for ``list_articles``-style queries."""
    classification = select(Classification.id).where(
        Classification.article_id == Article.id, Classification.model_version == model_version
    )
    if stance is not None:
        classification = classification.where(Classification.stance_label == stance)
    if stance_target is not None:
        classification = classification.where(Classification.stance_target == stance_target)
    if frame is not None:
        classification = classification.where(
            select(ArticleFrame.classification_id)
            .where(
                and_(
                    ArticleFrame.classification_id == Classification.id,
                    ArticleFrame.frame_key == frame,
                    ArticleFrame.present.is_(True),
                )
            )
            .exists()
        )
    return classification.exists()


def fetch_classified_rows(
    session: Session,
    model_version: str,
    *,
    outlets: Sequence[str] | None = None,
    event: str | None = None,
    published_from: datetime | None = None,
    published_to: datetime | None = None,
    text_chars: int | None = None,
    frame_keys: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Plain dicts (one per classified article) shaped for ``comparison.ArticleRecord``.

    Keys: ``article_id``, ``outlet``, ``event``, ``published_at``, ``text``, ``dominant_frame``,
    ``stance``, ``stance_target``, ``codebook_hash``, ``frames`` (frame -> present) and ``shares``
    (frame -> share). Only rows of one model version are returned, so a comparison never mixes models.
    ``text_chars`` reads only the first characters of each text (0: none), which is all the
    distinctive-vocabulary statistic uses by default; the database does the cutting. ``frame_keys``
    (default: every frame stored for the version) are the frames read.
    """
    if text_chars is None:
        text_column: Any = Article.text
    elif text_chars <= 0:
        text_column = literal("")
    else:
        text_column = func.substr(Article.text, 1, text_chars)
    stmt: Select = (
        select(
            Classification.id,
            Article.id,
            Outlet.key,
            Event.key,
            Article.published_at,
            text_column,
            Classification.dominant_frame,
            Classification.stance_label,
            Classification.stance_target,
            Classification.codebook_hash,
            Classification.frame_summary,
        )
        .join(Article, Classification.article_id == Article.id)
        .join(Outlet, Article.outlet_id == Outlet.id)
        .outerjoin(Event, Article.event_id == Event.id)
        .where(Classification.model_version == model_version)
        .order_by(Article.id)
    )
    stmt = _article_filters(stmt, outlets, event, published_from, published_to)
    # Core execution (no ORM row objects); frames come from the one-row ``frame_summary``, and only
    # rows stored without it fall back to pivoting ``article_frames`` (8 rows per article) in SQL.
    connection = session.connection()
    rows = connection.execute(stmt).all()
    frames = {row[0]: decode_frames(row[-1]) for row in rows if row[-1] is not None}
    if len(frames) < len(rows):
        keys = list(frame_keys) if frame_keys is not None else _frame_keys(connection, model_version)
        filters = (outlets, event, published_from, published_to)
        for cid, value in _pivot_frames(connection, model_version, keys, *filters).items():
            frames.setdefault(cid, value)
    return [
        {
            "article_id": aid,
            "outlet": outlet,
            "event": event_key,
            "published_at": published_at,
            "text": text,
            "dominant_frame": dominant,
            "stance": stance,
            "stance_target": stance_target,
            "codebook_hash": codebook_hash,
            "frames": {k: p for k, (p, _) in frames.get(cid, {}).items()},
            "shares": {k: s for k, (_, s) in frames.get(cid, {}).items()},
        }
        for (
            cid,
            aid,
            outlet,
            event_key,
            published_at,
            text,
            dominant,
            stance,
            stance_target,
            codebook_hash,
            _,
        ) in rows
    ]


def _pivot_frames(
    connection: Any,
    model_version: str,
    keys: Sequence[str],
    outlets: Sequence[str] | None,
    event: str | None,
    published_from: datetime | None,
    published_to: datetime | None,
) -> dict[int, dict[str, tuple[bool, float]]]:
    """Classification id -> frame -> (present, share) from ``article_frames``, one row per classification."""
    pivot: list[Any] = [ArticleFrame.classification_id]
    for key in keys:
        is_key = ArticleFrame.frame_key == key
        pivot.append(func.max(case((and_(is_key, ArticleFrame.present.is_(True)), 1), else_=0)))
        pivot.append(func.max(case((is_key, ArticleFrame.share), else_=None)))
    stmt = (
        select(*pivot)
        .join(Classification, ArticleFrame.classification_id == Classification.id)
        .join(Article, Classification.article_id == Article.id)
        .join(Outlet, Article.outlet_id == Outlet.id)
        .outerjoin(Event, Article.event_id == Event.id)
        .where(Classification.model_version == model_version)
        .group_by(ArticleFrame.classification_id)
    )
    stmt = _article_filters(stmt, outlets, event, published_from, published_to)
    return {
        row[0]: {
            key: (bool(row[1 + 2 * j]), row[2 + 2 * j])
            for j, key in enumerate(keys)
            if row[2 + 2 * j] is not None
        }
        for row in connection.execute(stmt)
    }


def _frame_keys(connection: Any, model_version: str) -> list[str]:
    stmt = (
        select(ArticleFrame.frame_key)
        .join(Classification, ArticleFrame.classification_id == Classification.id)
        .where(Classification.model_version == model_version)
        .distinct()
        .order_by(ArticleFrame.frame_key)
    )
    return list(connection.execute(stmt).scalars())


def version_coverage(
    session: Session,
    *,
    outlets: Sequence[str] | None = None,
    event: str | None = None,
    published_from: datetime | None = None,
    published_to: datetime | None = None,
) -> tuple[int, dict[str, int]]:
    """Number of matching articles, and per model version how many of them it has classified.

    A comparison by one version is complete only if that version covers every matching article;
    otherwise some articles carry labels only from another model, and comparing would silently drop
    or mix them.
    """
    base = (
        select(Article.id)
        .join(Outlet, Article.outlet_id == Outlet.id)
        .outerjoin(Event, Article.event_id == Event.id)
    )
    base = _article_filters(base, outlets, event, published_from, published_to)
    n_articles = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    ids = base.subquery()
    stmt = (
        select(Classification.model_version, func.count())
        .where(Classification.article_id.in_(select(ids.c.id)))
        .group_by(Classification.model_version)
    )
    return n_articles, {version: n for version, n in session.execute(stmt)}


def _article_filters(
    stmt: Select,
    outlets: Sequence[str] | None,
    event: str | None,
    published_from: datetime | None,
    published_to: datetime | None,
) -> Select:
    """The shared outlet/event/date filters (``Outlet`` and ``Event`` must be joined)."""
    if outlets:
        stmt = stmt.where(Outlet.key.in_(list(outlets)))
    if event:
        stmt = stmt.where(Event.key == event)
    if published_from:
        stmt = stmt.where(Article.published_at >= published_from)
    if published_to:
        stmt = stmt.where(Article.published_at < published_to)
    return stmt
