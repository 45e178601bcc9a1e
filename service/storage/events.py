"""Event DAO: storage functions take the session first and never commit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.storage.errors import InvalidItemsError, NotFoundError
from service.storage.pagination import CursorPage, fetch_page
from service.storage.tables import Event
from service.storage.upsert import flush_or_conflict, insert_ignoring_conflicts


def get_event(session: Session, key: str) -> Event:
    event = session.scalar(select(Event).where(Event.key == key))
    if event is None:
        raise NotFoundError(f"No event with key {key!r}.")
    return event


def list_events(session: Session, *, after: int | None, limit: int) -> CursorPage:
    return fetch_page(session, select(Event), Event.id, after=after, limit=limit)


def create_event(session: Session, data: Mapping[str, Any]) -> Event:
    """Insert a new event; a taken key is a 409, not a silent update."""
    event = Event(**data)
    session.add(event)
    flush_or_conflict(session, f"An event with key {data['key']!r} already exists.")
    return event


def update_event(session: Session, event: Event, changes: Mapping[str, Any]) -> Event:
    """Apply a partial update; the time window is re-checked against the stored half."""
    for name, value in changes.items():
        setattr(event, name, value)
    if event.starts_at and event.ends_at and event.ends_at < event.starts_at:
        raise InvalidItemsError(
            [{"field": "ends_at", "pointer": "/ends_at", "detail": "Must not be before starts_at."}],
            "The event's time window would end before it starts.",
        )
    flush_or_conflict(session, "The change conflicts with another event.")
    return event


def delete_event(session: Session, event: Event) -> None:
    """Articles keep existing and lose their event link (``ON DELETE SET NULL``)."""
    session.delete(event)
    session.flush()


def ensure_events(session: Session, keys: Iterable[str], *, create_missing: bool) -> dict[str, int]:
    """Map event keys to ids, creating missing ones (title = key) when asked; race-safe."""
    keys = set(keys)
    found = dict(session.execute(select(Event.key, Event.id).where(Event.key.in_(keys))).all())
    missing = keys - found.keys()
    if missing and create_missing:
        insert_ignoring_conflicts(session, Event, [{"key": k, "title": k} for k in sorted(missing)])
        found.update(session.execute(select(Event.key, Event.id).where(Event.key.in_(missing))).all())
    return found
