"""Outlet DAO: storage functions take the session first and never commit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from service.naming import outlet_key
from service.storage.errors import ConflictError, InvalidItemsError, NotFoundError
from service.storage.pagination import CursorPage, fetch_page
from service.storage.tables import Article, Outlet
from service.storage.upsert import flush_or_conflict, insert_ignoring_conflicts


def get_outlet(session: Session, ref: str) -> Outlet:
    """The outlet ``ref`` names: its key, else its display name, else the key derived from the name."""
    found = resolve_outlets(session, [ref], create_missing=False)
    if ref not in found:
        raise NotFoundError(f"No outlet with key or name {ref!r}.")
    return session.get_one(Outlet, found[ref][0])


def outlet_matches(refs: Iterable[str]) -> ColumnElement[bool]:
    """SQL condition for the outlets that filters name by key or display name (``outlet=ABC News``)."""
    refs = list(refs)
    derived = [outlet_key(ref) for ref in refs]
    return or_(Outlet.key.in_(refs), Outlet.name.in_(refs), Outlet.key.in_(derived))


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


def resolve_outlets(
    session: Session, refs: Iterable[str], *, create_missing: bool
) -> dict[str, tuple[int, str]]:
    """Map outlet references (keys or display names) to ``(id, key)``; unknown ones are left out.

    A reference is, in order: a stored key; a stored display name (only when one outlet has it);
    a name whose derived key (:func:`service.naming.outlet_key`) is stored. With ``create_missing``
    the rest are created with the derived key and the reference as name ("ABC News" ->
    ``abc-news``, name "ABC News"); inserts ignore conflicts, so racing requests share one outlet.
    """
    refs = set(refs)
    found: dict[str, tuple[int, str]] = {}
    rows = session.execute(select(Outlet.id, Outlet.key, Outlet.name).where(outlet_matches(refs))).all()
    by_key = {key: (id_, key) for id_, key, _ in rows}
    by_name: dict[str, list[tuple[int, str]]] = {}
    for id_, key, name in rows:
        by_name.setdefault(name, []).append((id_, key))
    for ref in refs:
        named = by_name.get(ref, [])
        match = by_key.get(ref) or (named[0] if len(named) == 1 else None) or by_key.get(outlet_key(ref))
        if match is not None:
            found[ref] = match
    missing = sorted(refs - found.keys())
    if missing and create_missing:
        new = {}
        for ref in missing:  # two spellings of one name ("ABC News", "abc news") make one outlet
            new.setdefault(outlet_key(ref), ref)
        insert_ignoring_conflicts(
            session,
            Outlet,
            [{"key": key, "name": name[:200], "extra": {}, "attributes": {}} for key, name in new.items()],
        )
        created = dict(session.execute(select(Outlet.key, Outlet.id).where(Outlet.key.in_(list(new)))).all())
        found.update({ref: (created[outlet_key(ref)], outlet_key(ref)) for ref in missing})
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


def set_outlet_attributes(
    session: Session,
    by: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    create_missing: bool = False,
    max_attributes: int = 20,
) -> dict[str, Any]:
    """Apply uploaded attribute rows (``service.schemas.outlet_attributes``) all or nothing.

    Outlets are found by ``key`` or by ``name`` (a name two outlets share is an error). Non-empty
    cells set attributes, empty cells remove them, attributes not in the upload stay. Every row that
    names no outlet, or would leave an outlet with too many attributes, is listed before anything changes.
    """
    column = Outlet.key if by == "key" else Outlet.name
    names = sorted({row["outlet"] for row in rows})
    found: dict[str, list[Outlet]] = {}
    for start in range(0, len(names), 1000):
        for outlet in session.scalars(select(Outlet).where(column.in_(names[start : start + 1000]))):
            found.setdefault(outlet.key if by == "key" else outlet.name, []).append(outlet)
    errors, changes, created = [], [], 0
    for row in rows:
        matches = found.get(row["outlet"], [])
        if not matches and by == "key" and create_missing:
            matches = [Outlet(key=row["outlet"], name=row["outlet"], extra={}, attributes={})]
            session.add(matches[0])
            created += 1
        if len(matches) != 1:
            why = "No outlet has this " + by if not matches else f"{len(matches)} outlets have this name"
            hint = "; use the key column" if matches else ""
            hint += " (create_missing=true creates it)" if by == "key" else ""
            errors.append({"location": "csv", "row": row["row"], "field": by, "detail": why + hint + "."})
            continue
        outlet = matches[0]
        merged = {k: v for k, v in (outlet.attributes or {}).items() if k not in row["unset"]} | row["set"]
        if len(merged) > max_attributes:  # each cell was checked by the schema; the sum is checked here
            detail = f"{outlet.key} would have {len(merged)} attributes; at most {max_attributes}."
            errors.append({"location": "csv", "row": row["row"], "field": None, "detail": detail})
            continue
        changes.append((outlet, merged))
    if errors:
        raise InvalidItemsError(errors)
    n_updated = 0
    for outlet, merged in changes:
        if merged != (outlet.attributes or {}):
            outlet.attributes = merged
            n_updated += 1
    flush_or_conflict(session, "The upload conflicts with another outlet.")
    keys = [o.key for o, _ in changes]
    return {"n_rows": len(rows), "n_updated": n_updated, "n_created": created, "outlets": keys}
