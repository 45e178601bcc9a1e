"""Reads for reliability: coders' annotations and a stored model version's labels, as coded units."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.storage.tables import Annotation, Article, ArticleFrame, Classification

_CHUNK = 1000


@dataclass(frozen=True)
class CodedRow:
    """One coder's (or the model's) article-level codes; ``hash`` is the codebook version used."""

    article_id: int
    frames: frozenset[str]
    dominant: str | None
    target: str | None
    stance: str | None
    hash: str


def fetch_coder_codes(
    session: Session, codebook_key: str, coders: Sequence[str]
) -> dict[str, list[CodedRow]]:
    """Every annotation of ``codebook_key`` by each of ``coders`` (coders without any are absent)."""
    stmt = (
        select(
            Annotation.coder,
            Annotation.article_id,
            Annotation.frames,
            Annotation.dominant,
            Annotation.stance_target,
            Annotation.stance,
            Annotation.codebook_hash,
        )
        .where(Annotation.codebook_key == codebook_key, Annotation.coder.in_(list(coders)))
        .order_by(Annotation.id)
    )
    found: dict[str, list[CodedRow]] = {}
    for coder, article_id, frames, dominant, target, stance, hash_ in session.execute(stmt):
        found.setdefault(coder, []).append(
            CodedRow(article_id, frozenset(frames), dominant, target, stance, hash_)
        )
    return found


def fetch_model_codes(session: Session, model_version: str, article_ids: Iterable[int]) -> list[CodedRow]:
    """``model_version``'s stored labels of these articles (articles it did not label are absent)."""
    ids = sorted(set(article_ids))
    rows: list[CodedRow] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        present: dict[int, set[str]] = {}
        frames = select(ArticleFrame.article_id, ArticleFrame.frame_key).join(
            Classification, Classification.id == ArticleFrame.classification_id
        )
        frames = frames.where(
            Classification.model_version == model_version,
            ArticleFrame.article_id.in_(chunk),
            ArticleFrame.present.is_(True),
        )
        for article_id, frame_key in session.execute(frames):
            present.setdefault(article_id, set()).add(frame_key)
        stmt = select(
            Classification.article_id,
            Classification.dominant_frame,
            Classification.stance_target,
            Classification.stance_label,
            Classification.codebook_hash,
        ).where(Classification.model_version == model_version, Classification.article_id.in_(chunk))
        for article_id, dominant, target, stance, hash_ in session.execute(stmt):
            rows.append(
                CodedRow(article_id, frozenset(present.get(article_id, ())), dominant, target, stance, hash_)
            )
    return rows


def fetch_article_outlets(session: Session, article_ids: Iterable[int]) -> dict[int, int]:
    """The outlet id of each article: the units a researcher's coded articles are grouped by."""
    ids = sorted(set(article_ids))
    found: dict[int, int] = {}
    for start in range(0, len(ids), _CHUNK):
        stmt = select(Article.id, Article.outlet_id).where(Article.id.in_(ids[start : start + _CHUNK]))
        for article_id, outlet_id in session.execute(stmt):
            found[article_id] = outlet_id
    return found
