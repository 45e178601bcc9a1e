"""GET /v1/annotations/suggest: which stored articles to code next (see ``classifiers.suggest``).

Candidates are stored articles the served model has labelled and nobody (or none of the named
coders) has coded under the codebook. Uncertainty comes from the stored frame and stance scores;
the ``SUGGEST_CANDIDATES`` most recently stored candidates are scored and only the ``SUGGEST_POOL``
most uncertain of them are read as text for the diversity step, so the cost is bounded whatever
the collection's size.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from flask import current_app
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from classifiers.codebook import STANCE_LABELS
from classifiers.suggest import DIVERSITY, suggest, uncertainty
from service.classifier_registry import get_model
from service.storage.errors import InvalidItemsError
from service.storage.tables import Annotation, Article, ArticleFrame, Classification, Event, Outlet

#: Characters of each candidate's text read for the diversity step.
TEXT_CHARS = 2000


def suggest_articles(
    session: Session,
    *,
    codebook: str,
    n: int,
    coders: Sequence[str] | None = None,
    event: str | None = None,
    outlet: str | None = None,
) -> dict[str, Any]:
    """Up to ``n`` articles to code next, most useful first, with their uncertainty."""
    model = get_model()
    if codebook != model.codebook.key:
        detail = (
            f"No model serves codebook {codebook!r} (the served model's codebook is {model.codebook.key!r})."
        )
        raise InvalidItemsError([{"field": "codebook", "location": "query", "detail": detail}], detail)
    coded = select(Annotation.id).where(
        Annotation.article_id == Classification.article_id, Annotation.codebook_key == codebook
    )
    if coders:
        coded = coded.where(Annotation.coder.in_(list(coders)))
    stmt = (
        select(Classification.id, Classification.article_id, Classification.stance_scores)
        .join(Article, Article.id == Classification.article_id)
        .where(Classification.model_version == model.version, Classification.status == "ok", ~exists(coded))
    )
    if event:
        stmt = stmt.join(Event, Article.event_id == Event.id).where(Event.key == event)
    if outlet:
        stmt = stmt.join(Outlet, Article.outlet_id == Outlet.id).where(Outlet.key == outlet)
    cap = int(current_app.config["SUGGEST_CANDIDATES"])
    rows = session.execute(stmt.order_by(Classification.article_id.desc()).limit(cap)).all()
    keys = list(model.codebook.frame_keys)
    out: dict[str, Any] = {
        "model_version": model.version,
        "codebook": codebook,
        "n_candidates": len(rows),
        "method": f"uncertainty with a diversity discount of {DIVERSITY} (TF-IDF cosine)",
        "items": [],
    }
    if not rows:
        return out
    index = {cid: i for i, (cid, _, _) in enumerate(rows)}
    frames = np.full((len(rows), len(keys)), 0.5)
    cids = list(index)
    for start in range(0, len(cids), 5_000):
        chunk = cids[start : start + 5_000]
        for cid, key, score in session.execute(
            select(ArticleFrame.classification_id, ArticleFrame.frame_key, ArticleFrame.score).where(
                ArticleFrame.classification_id.in_(chunk)
            )
        ):
            if key in keys:
                frames[index[cid], keys.index(key)] = score
    stance = np.array([[float((s or {}).get(k, 0.0)) for k in STANCE_LABELS] for _, _, s in rows])
    unc = uncertainty(frames, stance)
    pool = np.argsort(-unc, kind="stable")[: int(current_app.config["SUGGEST_POOL"])]
    ids = [rows[i][1] for i in pool]
    details = {
        r.id: r
        for r in session.execute(
            select(
                Article.id,
                Article.title,
                func.substr(Article.text, 1, TEXT_CHARS).label("head"),
                Outlet.key.label("outlet"),
                Event.key.label("event"),
            )
            .join(Outlet, Article.outlet_id == Outlet.id)
            .outerjoin(Event, Article.event_id == Event.id)
            .where(Article.id.in_(ids))
        )
    }
    picks = suggest([details[i].head or "" for i in ids], unc[pool], n)
    for rank, (j, score) in enumerate(picks, start=1):
        d = details[ids[j]]
        out["items"].append(
            {
                "rank": rank,
                "article_id": d.id,
                "title": d.title,
                "outlet": d.outlet,
                "event": d.event,
                "uncertainty": round(score, 4),
            }
        )
    return out
