"""Classification DAO: store ``ArticleClassification`` objects, read them back, filter articles by them.

One row per article x model version in ``classifications`` (article-level fields, stance, evidence
sentences, and a summary of its frames: ``service.storage.frame_summary``) and one per frame in
``article_frames`` (presence, score, share). Every write path (single, batch, import, jobs, COPY)
goes through ``store_classifications``, so the summary always matches the frame rows. Comparisons
read through ``service.storage.classified_rows`` and ``label_counts``. Never commits.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import delete as sa_delete
from sqlalchemy import select
from sqlalchemy.orm import Session

from classifiers import ArticleClassification, Evidence, FrameResult, ModelRef, StanceResult
from service.storage.frame_summary import summarise_frames
from service.storage.tables import Article, ArticleFrame, Classification
from service.storage.upsert import insert_ignoring_conflicts, insert_new_rows

_CHUNK = 1000


def store_classifications(session: Session, results: Sequence[tuple[int, ArticleClassification]]) -> int:
    """Store ``(article_id, classification)`` pairs; returns how many were new.

    A pair whose article already has a classification by the same model version is skipped (the
    model is deterministic, so the stored row is the same answer; concurrent writers cannot
    duplicate it: ``uq_classifications_article_id_model_version``). An article given twice keeps
    its first result: row, frame rows and summary all come from the same one.
    """
    by_key: dict[tuple[int, str], ArticleClassification] = {}
    for article_id, result in results:  # an article twice in one batch (a deduplicated copy): first wins
        by_key.setdefault((article_id, result.model.version), result)
    rows = [classification_row(article_id, result) for (article_id, _), result in by_key.items()]
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
            "frame_key": f.key,
            "present": bool(f.present),
            "score": float(f.score),
            "share": float(f.share),
        }
        for cid, aid, version in inserted
        for f in by_key[(aid, version)].frames
    ]
    insert_new_rows(session, ArticleFrame, frame_rows)  # fresh classification ids: no conflicts
    return len(inserted)


def classification_row(article_id: int, result: ArticleClassification) -> dict[str, Any]:
    """The ``classifications`` row of one result (frames go to ``article_frames``, summarised here)."""
    mask, shares = summarise_frames((f.key, bool(f.present), f.share) for f in result.frames)
    return {
        "article_id": article_id,
        "model_version": result.model.version,
        "codebook_key": result.model.codebook,
        "codebook_hash": result.model.codebook_hash,
        "status": result.status,
        "language": result.language,
        "n_sentences": result.n_sentences,
        "dominant_frame": result.dominant_frame,
        "stance_target": result.stance.target,
        "stance_label": result.stance.label,
        "stance_scores": {k: float(v) for k, v in result.stance.scores.items()},
        "evidence": {
            "frames": {f.key: [asdict(e) for e in f.evidence] for f in result.frames if f.evidence},
            "stance": [asdict(e) for e in result.stance.evidence],
        },
        "frame_mask": mask,
        "frame_shares": shares,
    }


def read_classifications(
    session: Session,
    article_ids: Sequence[int],
    model_version: str,
    *,
    frame_labels: Mapping[str, str] | None = None,
) -> dict[int, ArticleClassification]:
    """Article id -> its stored ``model_version`` result, rebuilt as an ``ArticleClassification``.

    Frame labels are not stored (they belong to the codebook): ``frame_labels`` supplies them,
    and a frame it does not name is labelled with its key.
    """
    labels = frame_labels or {}
    out: dict[int, ArticleClassification] = {}
    for chunk in _chunks(sorted(set(article_ids))):
        stored = session.execute(
            select(Classification).where(
                Classification.model_version == model_version, Classification.article_id.in_(chunk)
            )
        ).scalars()
        by_id = {c.id: c for c in stored}
        frames: dict[int, list[ArticleFrame]] = {cid: [] for cid in by_id}
        for row in session.execute(
            select(ArticleFrame).where(ArticleFrame.classification_id.in_(list(by_id)))
        ).scalars():
            frames[row.classification_id].append(row)
        for cid, c in by_id.items():
            out[c.article_id] = _rebuild(c, frames[cid], labels)
    return out


def _rebuild(
    c: Classification, frame_rows: list[ArticleFrame], labels: Mapping[str, str]
) -> ArticleClassification:
    evidence = c.evidence or {}
    frame_evidence = evidence.get("frames") or {}
    order = {key: i for i, key in enumerate(labels)}
    frame_rows = sorted(frame_rows, key=lambda r: (order.get(r.frame_key, len(order)), r.frame_key))
    frames = tuple(
        FrameResult(
            key=r.frame_key,
            label=labels.get(r.frame_key, r.frame_key),
            score=r.score,
            present=r.present,
            share=r.share,
            evidence=tuple(Evidence(**e) for e in frame_evidence.get(r.frame_key, ())),
        )
        for r in frame_rows
    )
    stance = StanceResult(
        target=c.stance_target or "",
        label=c.stance_label,
        scores=dict(c.stance_scores or {}),
        evidence=tuple(Evidence(**e) for e in evidence.get("stance") or ()),
    )
    model = ModelRef(c.model_version, c.codebook_key, c.codebook_hash)
    return ArticleClassification(c.status, c.n_sentences, frames, c.dominant_frame, stance, model, c.language)


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
    for chunk in _chunks(sorted(set(article_ids))):
        rows.extend(tuple(row) for row in session.execute(stmt.where(Article.id.in_(chunk))))
    return rows


def delete_classifications(session: Session, article_id: int) -> None:
    """Forget an article's results (its text changed, so every stored answer is stale)."""
    session.execute(sa_delete(ArticleFrame).where(ArticleFrame.article_id == article_id))
    session.execute(sa_delete(Classification).where(Classification.article_id == article_id))


def delete_version_classifications(session: Session, article_ids: Sequence[int], model_version: str) -> None:
    """Forget ``model_version``'s results for these articles (a ``force`` job labels them again)."""
    for chunk in _chunks(sorted(set(article_ids))):
        stored = select(Classification.id).where(
            Classification.model_version == model_version, Classification.article_id.in_(chunk)
        )
        session.execute(sa_delete(ArticleFrame).where(ArticleFrame.classification_id.in_(stored)))
        session.execute(
            sa_delete(Classification).where(
                Classification.model_version == model_version, Classification.article_id.in_(chunk)
            )
        )


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
                ArticleFrame.classification_id == Classification.id,
                ArticleFrame.frame_key == frame,
                ArticleFrame.present.is_(True),
            )
            .exists()
        )
    return classification.exists()


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """Slices of ~1000 values: keeps ``IN (...)`` lists under every backend's parameter limit."""
    for start in range(0, len(values), _CHUNK):
        yield list(values[start : start + _CHUNK])
