"""Backend-neutral helpers for inserts that must respect unique constraints under concurrency."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.storage.errors import ConflictError

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_ignoring_conflicts(
    session: Session, model: type, rows: Sequence[dict[str, Any]], returning: Sequence[Any] = ()
) -> list[Any]:
    """Bulk ``INSERT ... ON CONFLICT DO NOTHING`` (one statement per ~1000 rows, not one per row).

    Rows that hit any unique constraint, including one committed by a concurrent request a moment
    ago, are skipped instead of failing the transaction. Returns the ``returning`` columns of the
    rows actually inserted.
    """
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    try:
        insert = _INSERTS[dialect]
    except KeyError:  # pragma: no cover - guarded by the supported-backend list in the README
        raise RuntimeError(f"Unsupported database backend {dialect!r}") from None
    stmt = insert(model).on_conflict_do_nothing()
    if returning:
        return list(session.execute(stmt.returning(*returning), list(rows)))
    session.execute(stmt, list(rows))
    return []


def flush_or_conflict(session: Session, message: str) -> None:
    """Flush pending changes; a unique/foreign-key violation becomes a ``ConflictError`` (409)."""
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise ConflictError(message) from exc
