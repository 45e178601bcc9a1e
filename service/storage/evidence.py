"""Evidence reads: the stored articles behind one heatmap cell or stance bar, with their evidence sentences.

The dashboard's click on (unit, frame) asks which articles of that outlet or group used the frame
and which sentences made the model say so. The sentences and their character offsets were stored
with each classification (``classifications.evidence``); nothing is recomputed here. Never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.storage.classified_rows import article_filters
from service.storage.tables import Article, ArticleFrame, Classification, Event, Outlet

#: Outlet columns ``group_by`` may name besides the free-form attributes (as in comparisons).
OUTLET_COLUMNS = ("country", "language")


def outlets_in_group(session: Session, group_by: str, group: str) -> list[str]:
    """Keys of the outlets whose ``group_by`` (an attribute, or country/language) equals ``group``.

    Attributes are free-form JSON, compared in Python: outlets number in the hundreds, not millions.
    """
    rows = session.execute(select(Outlet.key, Outlet.country, Outlet.language, Outlet.attributes))
    keys = []
    for key, country, language, attributes in rows:
        values = {**(attributes or {}), "country": country, "language": language}
        if values.get(group_by) is not None and str(values[group_by]) == group:
            keys.append(key)
    return sorted(keys)


def fetch_evidence(
    session: Session,
    model_version: str,
    *,
    frame: str | None = None,
    stance: str | None = None,
    target: str | None = None,
    outlets: Sequence[str] | None = None,
    event: str | Sequence[str] | None = None,
    limit: int = 20,
) -> tuple[int, list[dict[str, Any]]]:
    """How many stored articles match, and the first ``limit`` (oldest first) with their evidence.

    An article matches when ``model_version`` labelled it with ``frame`` present (and/or with stance
    label ``stance`` [toward ``target``]), within the outlets and events given. Its ``evidence`` is
    that frame's evidence sentences (with ``frame``), else the stance evidence: ``sentence``,
    ``start``, ``end`` (offsets into ``text``, or into ``title`` when ``field`` says so), ``score``.
    """
    stmt = (
        select(Article, Outlet.key, Outlet.name, Event.key, Classification)
        .join(Classification, Classification.article_id == Article.id)
        .join(Outlet, Article.outlet_id == Outlet.id)
        .outerjoin(Event, Article.event_id == Event.id)
        .where(Classification.model_version == model_version)
    )
    stmt = article_filters(stmt, outlets, event, None, None)
    if frame is not None:
        present = select(ArticleFrame.classification_id).where(
            ArticleFrame.classification_id == Classification.id,
            ArticleFrame.frame_key == frame,
            ArticleFrame.present.is_(True),
        )
        stmt = stmt.where(present.exists())
    if stance is not None:
        stmt = stmt.where(Classification.stance_label == stance)
    if target is not None:
        stmt = stmt.where(Classification.stance_target == target)
    n_articles = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    ordered = stmt.order_by(Article.published_at.is_(None), Article.published_at, Article.id).limit(limit)
    articles = []
    for article, outlet, outlet_name, event_key, classification in session.execute(ordered):
        stored = classification.evidence or {}
        evidence = (stored.get("frames") or {}).get(frame, []) if frame else stored.get("stance") or []
        articles.append(
            {
                "id": article.id,
                "outlet": outlet,
                "outlet_name": outlet_name,
                "event": event_key,
                "url": article.url,
                "title": article.title,
                "published_at": article.published_at,
                "text": article.text,
                "dominant_frame": classification.dominant_frame,
                "stance": {"target": classification.stance_target, "label": classification.stance_label},
                "evidence": [{"field": "text", **e} for e in evidence],
            }
        )
    return n_articles, articles
