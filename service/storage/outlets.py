"""Outlet DAO: storage functions take the session first and never commit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.storage.errors import ConflictError, NotFoundError
from service.storage.pagination import CursorPage, fetch_page
from service.storage.tables import Article, Outlet
from service.storage.upsert import flush_or_conflict, insert_ignoring_conflicts


def get_outlet(session: Session, key: str) -> Outlet:
    outlet = session.scalar(select(Outlet).where(Outlet.key == key))
    if outlet is None:
        raise NotFoundError(f"No outlet with key {key!r}.")
    return outlet


def list_outlets(
    session: Session,
    *,
    after: int | None,
    limit: int,
    country: str | None = None,
    language: str | None = None,
) -> CursorPage:
    stmt = select(Outlet)
    if country:
        stmt = stmt.where(Outlet.country == country)
    if language:
        stmt = stmt.where(Outlet.language == language)
    return fetch_page(session, stmt, Outlet.id, after=after, limit=limit)


def create_outlet(session: Session, data: Mapping[str, Any]) -> Outlet:
    """Insert a new outlet; a taken key is a 409, not a silent update."""
    outlet = Outlet(**data)
    session.add(outlet)
    flush_or_conflict(session, f"An outlet with key {data['key']!r} already exists.")
    return outlet


def update_outlet(session: Session, outlet: Outlet, changes: Mapping[str, Any]) -> Outlet:
    for name, value in changes.items():
        setattr(outlet, name, value)
    flush_or_conflict(session, "The change conflicts with another outlet.")
    return outlet


def delete_outlet(session: Session, outlet: Outlet) -> None:
    """Refuse while articles point at the outlet: deleting coverage by accident is not undoable."""
    if session.scalar(select(Article.id).where(Article.outlet_id == outlet.id).limit(1)) is not None:
        raise ConflictError(f"Outlet {outlet.key!r} still has articles; delete them first.")
    session.delete(outlet)
    session.flush()


def ensure_outlets(session: Session, keys: Iterable[str], *, create_missing: bool) -> dict[str, int]:
    """Map outlet keys to ids, creating missing ones (name = key) when asked; race-safe."""
    keys = set(keys)
    found = dict(session.execute(select(Outlet.key, Outlet.id).where(Outlet.key.in_(keys))).all())
    missing = keys - found.keys()
    if missing and create_missing:
        insert_ignoring_conflicts(
            session, Outlet, [{"key": k, "name": k, "extra": {}, "attributes": {}} for k in sorted(missing)]
        )
        found.update(session.execute(select(Outlet.key, Outlet.id).where(Outlet.key.in_(missing))).all())
    return found


def apply_outlet_attributes(session: Session, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Set the ``outlet_attributes`` that articles carry on their outlets; one error per conflicting item.

    An attribute the outlet does not have yet is added (this is how articles create outlets with
    attributes); a value that contradicts the stored one, or another item of the request, is an error
    rather than a silent overwrite: change stored attributes with PATCH /v1/outlets/{key}.
    """
    wanted: dict[str, dict[str, str]] = {}
    errors: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        given = item.get("outlet_attributes") or {}
        current = wanted.setdefault(item["outlet"], {})
        clash = sorted(k for k, v in given.items() if current.get(k, v) != v)
        if clash:
            errors.append(_attribute_error(index, item["outlet"], clash, "another article of this request"))
        current.update({k: v for k, v in given.items() if k not in current})
    wanted = {k: v for k, v in wanted.items() if v}
    if not wanted:
        return errors
    outlets = session.scalars(select(Outlet).where(Outlet.key.in_(list(wanted)))).all()
    for outlet in outlets:
        stored = dict(outlet.attributes or {})
        clash = sorted(k for k, v in wanted[outlet.key].items() if stored.get(k, v) != v)
        if clash:
            errors += [
                _attribute_error(i, outlet.key, clash, "the stored outlet")
                for i, item in enumerate(items)
                if item["outlet"] == outlet.key and set(clash) & set(item.get("outlet_attributes") or {})
            ]
        elif wanted[outlet.key].keys() - stored.keys():
            outlet.attributes = {**stored, **wanted[outlet.key]}
    session.flush()
    return errors


def _attribute_error(index: int, outlet: str, keys: list[str], other: str) -> dict[str, Any]:
    return {
        "index": index,
        "field": "outlet_attributes",
        "pointer": f"/{index}/outlet_attributes",
        "detail": f"{outlet}: {', '.join(keys)} differ from {other}; change stored attributes with "
        "PATCH /v1/outlets/{key}.",
    }
