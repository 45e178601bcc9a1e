"""Article DAO: ingest with deduplication, reads with filters, updates. Never commits."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from service.storage.classifications import classified_article_filter
from service.storage.errors import InvalidItemsError, NotFoundError
from service.storage.events import ensure_events, get_event
from service.storage.outlets import apply_outlet_attributes, outlet_matches, resolve_outlets
from service.storage.pagination import CursorPage, fetch_page
from service.storage.tables import Article, Event, Outlet
from service.storage.text import fingerprint_text, normalise_url
from service.storage.upsert import flush_or_conflict, insert_ignoring_conflicts

_CHUNK = 1000  # keeps IN (...) lists well under every backend's parameter limit


@dataclass(frozen=True)
class IngestResult:
    """Per submitted item (same order): the article id and whether this request created it."""

    ids: list[int]
    created: list[bool]

    @property
    def n_created(self) -> int:
        return sum(self.created)

    def summary(self) -> dict[str, Any]:
        """Counts plus one ``{index, id, created}`` row per item (what the batch endpoint returns)."""
        rows = [
            {"index": index, "id": article_id, "created": created}
            for index, (article_id, created) in enumerate(zip(self.ids, self.created, strict=True))
        ]
        n_created = self.n_created
        return {
            "n_items": len(rows),
            "n_created": n_created,
            "n_existing": len(rows) - n_created,
            "items": rows,
        }


def ingest_articles(
    session: Session, items: Sequence[Mapping[str, Any]], *, create_missing: bool = False
) -> IngestResult:
    """Store articles atomically, deduplicated by URL or by normalised text within an outlet.

    ``items`` are validated dicts (outlet by key or display name, event by key). Unknown ones fail the
    whole call with ``InvalidItemsError`` (every bad item by index and field) unless
    ``create_missing``, which creates outlets under the key derived from the name. Duplicates,
    within the request or against stored rows, resolve to one article. Inserts are bulk
    ``ON CONFLICT DO NOTHING`` statements, so two racing requests both end with the one row.
    """
    outlets, outlet_errors = _resolve(session, items, "outlet", create_missing)
    event_ids, event_errors = _resolve(session, items, "event", create_missing)
    if not outlet_errors:  # from here on every item names its outlet by key
        items = [{**item, "outlet": outlets[item["outlet"]][1]} for item in items]
    outlet_ids = {key: id_ for id_, key in outlets.values()}
    attribute_errors = [] if outlet_errors else apply_outlet_attributes(session, items)
    if outlet_errors or event_errors or attribute_errors:
        found = outlet_errors + event_errors + attribute_errors
        raise InvalidItemsError(sorted(found, key=lambda e: (e["index"], e["field"])))
    rows = [_to_row(item, outlet_ids, event_ids) for item in items]

    keys = [(row["url"], row["outlet_id"], row["content_hash"]) for row in rows]
    existing = _lookup(session, keys)
    pending: dict[tuple, dict[str, Any]] = {}
    seen_urls: set[str] = set()
    for key, row in zip(keys, rows, strict=True):
        url, outlet_id, content_hash = key
        if (
            _match(existing, key) is None
            and (outlet_id, content_hash) not in pending
            and url not in seen_urls
        ):
            pending[(outlet_id, content_hash)] = row
            if url is not None:
                seen_urls.add(url)
    inserted = insert_ignoring_conflicts(
        session,
        Article,
        list(pending.values()),
        returning=[Article.id, Article.url, Article.outlet_id, Article.content_hash],
    )
    created_ids = set()
    for article_id, url, outlet_id, content_hash in inserted:
        created_ids.add(article_id)
        if url is not None:
            existing.by_url[url] = article_id
        existing.by_hash[(outlet_id, content_hash)] = article_id

    ids = [_match(existing, key) for key in keys]
    unresolved = [key for key, article_id in zip(keys, ids, strict=True) if article_id is None]
    if unresolved:  # rows a concurrent request committed between our lookup and our insert
        raced = _lookup(session, unresolved)
        ids = [
            article_id if article_id is not None else _match(raced, key)
            for key, article_id in zip(keys, ids, strict=True)
        ]
    if any(i is None for i in ids):  # pragma: no cover - would mean a constraint we do not know about
        raise RuntimeError("Ingested article could not be read back")
    created: list[bool] = []
    first_seen: set[int] = set()
    for article_id in ids:
        created.append(article_id in created_ids and article_id not in first_seen)
        first_seen.add(article_id)
    return IngestResult(ids=ids, created=created)


def get_article(session: Session, article_id: int) -> Article:
    article = session.get(Article, article_id)
    if article is None:
        raise NotFoundError(f"No article with id {article_id}.")
    return article


def list_articles(session: Session, *, after: int | None, limit: int, **filters: Any) -> CursorPage:
    """Filtered keyset page (filters as in :func:`select_articles`)."""
    return fetch_page(session, select_articles(**filters), Article.id, after=after, limit=limit)


def select_articles(
    *,
    outlet: str | None = None,
    event: str | None = None,
    published_from: datetime | None = None,
    published_to: datetime | None = None,
    language: str | None = None,
    model_version: str | None = None,
    frame: str | None = None,
    stance: str | None = None,
    stance_target: str | None = None,
    columns: Sequence[Any] = (Article,),
) -> Select:
    """``SELECT columns`` of the articles matching the list filters (lists, exports and jobs share it).

    ``published_to`` is exclusive, so consecutive windows never overlap. ``frame`` (present) and
    ``stance`` (label) filter on stored classifications of ``model_version``.
    """
    stmt = select(*columns).select_from(Article)
    if frame is not None or stance is not None or stance_target is not None:
        if model_version is None:
            raise ValueError("frame/stance filters need the model_version whose classifications to use")
        stmt = stmt.where(
            classified_article_filter(model_version, frame=frame, stance=stance, stance_target=stance_target)
        )
    if outlet:
        stmt = stmt.where(Article.outlet_id.in_(select(Outlet.id).where(outlet_matches([outlet]))))
    if event:
        stmt = stmt.where(Article.event_id == select(Event.id).where(Event.key == event).scalar_subquery())
    if published_from:
        stmt = stmt.where(Article.published_at >= published_from)
    if published_to:
        stmt = stmt.where(Article.published_at < published_to)
    if language:
        stmt = stmt.where(Article.language == language)
    return stmt


def update_article(session: Session, article: Article, changes: Mapping[str, Any]) -> Article:
    """Apply a partial update; new text re-derives hash and word count, and may collide (409)."""
    changes = dict(changes)
    if "event" in changes:
        key = changes.pop("event")
        try:
            article.event = None if key is None else get_event(session, key)
        except NotFoundError as exc:  # the article exists; the body names something that does not
            raise InvalidItemsError(
                [{"field": "event", "pointer": "/event", "detail": str(exc)}], "Unknown event."
            ) from exc
    if "url" in changes:
        changes["url"] = normalise_url(changes["url"])
    if "text" in changes:
        changes["content_hash"], changes["word_count"] = fingerprint_text(changes["text"])
    for name, value in changes.items():
        setattr(article, name, value)
    flush_or_conflict(session, "Another article of this outlet already has this URL or text.")
    return article


def delete_article(session: Session, article: Article) -> None:
    session.delete(article)
    session.flush()


def _resolve(
    session: Session, items: Sequence[Mapping[str, Any]], field: str, create_missing: bool
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Reference -> id (events) or ``(id, key)`` (outlets) for what the items name, plus one error
    per unknown reference."""
    keys = {item[field] for item in items if item.get(field) is not None}
    if not keys:
        return {}, []
    ensure = {"outlet": resolve_outlets, "event": ensure_events}[field]
    found = ensure(session, keys, create_missing=create_missing)
    errors = [
        {
            "index": index,
            "field": field,
            "pointer": f"/{index}/{field}",
            "detail": f"Unknown {field} {item[field]!r}; create it first or pass create_missing=true"
            + (" (a new outlet gets the key derived from its name)." if field == "outlet" else "."),
        }
        for index, item in enumerate(items)
        if item.get(field) is not None and item[field] not in found
    ]
    return found, errors


def _to_row(item: Mapping[str, Any], outlet_ids: dict[str, int], event_ids: dict[str, int]) -> dict[str, Any]:
    text = item["text"]
    content_hash, word_count = fingerprint_text(text)
    return {
        "outlet_id": outlet_ids[item["outlet"]],
        "event_id": event_ids.get(item["event"]) if item.get("event") else None,
        "url": normalise_url(item.get("url")),
        "title": item.get("title") or "",
        "published_at": item.get("published_at"),
        "published_precision": item.get("published_precision"),
        "author": item.get("author"),
        "language": item.get("language"),
        "text": text,
        "content_hash": content_hash,
        "word_count": word_count,
    }


@dataclass
class _Existing:
    by_url: dict[str, int]
    by_hash: dict[tuple[int, str], int]


def _lookup(session: Session, keys: Sequence[tuple[str | None, int, str]]) -> _Existing:
    """Stored ids for the given (url, outlet_id, content_hash) keys, in ~1000-key chunks."""
    urls = sorted({url for url, _, _ in keys if url is not None})
    hashes = sorted({content_hash for _, _, content_hash in keys})
    outlet_ids = sorted({outlet_id for _, outlet_id, _ in keys})
    by_url: dict[str, int] = {}
    for chunk in _chunks(urls):
        by_url.update(session.execute(select(Article.url, Article.id).where(Article.url.in_(chunk))).all())
    by_hash: dict[tuple[int, str], int] = {}
    for chunk in _chunks(hashes):
        stmt = select(Article.outlet_id, Article.content_hash, Article.id).where(
            Article.content_hash.in_(chunk), Article.outlet_id.in_(outlet_ids)
        )
        by_hash.update(((o, h), i) for o, h, i in session.execute(stmt))
    return _Existing(by_url, by_hash)


def _match(existing: _Existing, key: tuple[str | None, int, str]) -> int | None:
    url, outlet_id, content_hash = key
    if url is not None and url in existing.by_url:
        return existing.by_url[url]
    return existing.by_hash.get((outlet_id, content_hash))


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]
