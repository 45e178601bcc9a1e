"""Annotation DAO: coders' codes per article x coder x codebook key (re-posting replaces). Never commits."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from service.storage.errors import NotFoundError
from service.storage.outlets import outlet_matches
from service.storage.pagination import CursorPage, fetch_page
from service.storage.tables import Annotation, Article, Event, Outlet, utcnow

_CHUNK = 500
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
#: Columns a re-post replaces; the natural key (article, coder, codebook key) and ``created_at`` stay.
REPLACED = ("codebook_hash", "frames", "dominant", "stance_target", "stance", "spans", "updated_at")
AnnotationKey = tuple[int, str, str]


def upsert_annotations(session: Session, rows: Sequence[Mapping[str, Any]]) -> list[tuple[int, bool]]:
    """Insert or replace (``ON CONFLICT DO UPDATE``) each row; ``(id, created)`` per row, in order.

    Rows are complete annotations (validated); a stored annotation with the same article, coder and
    codebook key is replaced in full, keeping its id and ``created_at``.
    """
    keys = [(row["article_id"], row["coder"], row["codebook_key"]) for row in rows]
    before = existing_annotation_ids(session, keys)
    now = utcnow()
    insert = _INSERTS[session.get_bind().dialect.name]
    ids: dict[AnnotationKey, int] = {}
    for start in range(0, len(rows), _CHUNK):
        chunk = [{**row, "created_at": now, "updated_at": now} for row in rows[start : start + _CHUNK]]
        stmt = insert(Annotation)
        stmt = stmt.on_conflict_do_update(
            index_elements=["article_id", "coder", "codebook_key"],
            set_={name: stmt.excluded[name] for name in REPLACED},
        ).returning(Annotation.id, Annotation.article_id, Annotation.coder, Annotation.codebook_key)
        for annotation_id, *key in session.execute(stmt, chunk):
            ids[tuple(key)] = annotation_id  # type: ignore[index]
    session.expire_all()  # rows loaded earlier in this session show the replaced values
    return [(ids[key], key not in before) for key in keys]


def existing_annotation_ids(session: Session, keys: Iterable[AnnotationKey]) -> dict[AnnotationKey, int]:
    """Stored ids for (article_id, coder, codebook_key) keys."""
    keys = list(dict.fromkeys(keys))
    found: dict[AnnotationKey, int] = {}
    columns = (Annotation.article_id, Annotation.coder, Annotation.codebook_key)
    for start in range(0, len(keys), _CHUNK):
        stmt = select(Annotation.id, *columns).where(tuple_(*columns).in_(keys[start : start + _CHUNK]))
        for annotation_id, *key in session.execute(stmt):
            found[tuple(key)] = annotation_id  # type: ignore[index]
    return found


def article_text_lengths(session: Session, article_ids: Iterable[int]) -> dict[int, int]:
    """Characters of each stored article's text (unknown ids are absent): span offsets are checked on it."""
    ids = sorted(set(article_ids))
    lengths: dict[int, int] = {}
    for start in range(0, len(ids), _CHUNK):
        stmt = select(Article.id, func.length(Article.text)).where(
            Article.id.in_(ids[start : start + _CHUNK])
        )
        lengths.update((article_id, length) for article_id, length in session.execute(stmt))
    return lengths


def get_annotation(session: Session, annotation_id: int) -> Annotation:
    annotation = session.get(Annotation, annotation_id)
    if annotation is None:
        raise NotFoundError(f"No annotation with id {annotation_id}.")
    return annotation


def delete_annotation(session: Session, annotation: Annotation) -> None:
    session.delete(annotation)
    session.flush()


def _filtered(
    coder: str | None = None,
    article_id: int | None = None,
    codebook: str | None = None,
    event: str | None = None,
    outlet: str | None = None,
) -> Select:
    stmt = select(Annotation)
    if coder:
        stmt = stmt.where(Annotation.coder == coder)
    if article_id is not None:
        stmt = stmt.where(Annotation.article_id == article_id)
    if codebook:
        stmt = stmt.where(Annotation.codebook_key == codebook)
    if event or outlet:
        stmt = stmt.join(Article, Annotation.article_id == Article.id)
    if event:
        stmt = stmt.join(Event, Article.event_id == Event.id).where(Event.key == event)
    if outlet:
        stmt = stmt.join(Outlet, Article.outlet_id == Outlet.id).where(outlet_matches([outlet]))
    return stmt


def list_annotations(session: Session, *, after: int | None, limit: int, **filters: Any) -> CursorPage:
    """Keyset page of annotations filtered by coder, article, codebook key, event or outlet key."""
    return fetch_page(session, _filtered(**filters), Annotation.id, after=after, limit=limit)


def iter_annotations(session: Session, **filters: Any) -> Iterator[Annotation]:
    """Every matching annotation in id order, read in pages (an export of any size, bounded memory)."""
    after = None
    while True:
        page = fetch_page(session, _filtered(**filters), Annotation.id, after=after, limit=_CHUNK)
        yield from page.items
        if page.next_after is None:
            return
        after = page.next_after
        session.expunge_all()


def labels_in_use(session: Session, codebook_key: str) -> tuple[Counter, Counter]:
    """How many stored annotations of ``codebook_key`` use each frame, and each (target, stance)."""
    frames: Counter = Counter()
    stances: Counter = Counter()
    stmt = select(
        Annotation.frames, Annotation.dominant, Annotation.stance_target, Annotation.stance, Annotation.spans
    ).where(Annotation.codebook_key == codebook_key)
    for used_frames, dominant, target, stance, spans in session.execute(stmt):
        span_frames = {f for span in spans for f in span.get("frames", [])}
        frames.update(set(used_frames) | span_frames | ({dominant} - {None}))
        span_stances = {(target, span["stance"]) for span in spans if span.get("stance")}
        stances.update(span_stances | ({(target, stance)} if stance else set()))
    return frames, stances
