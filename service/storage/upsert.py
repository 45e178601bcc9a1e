"""Backend-neutral helpers for inserts that must respect unique constraints under concurrency."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.storage.bulk_copy import MIN_COPY_ROWS, copy_insert_ignoring_conflicts, copy_rows
from service.storage.errors import ConflictError

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_ignoring_conflicts(
    session: Session, model: type, rows: Sequence[dict[str, Any]], returning: Sequence[Any] = ()
) -> list[Any]:
    """Bulk ``INSERT ... ON CONFLICT DO NOTHING`` (one statement per ~1000 rows, not one per row).

    Rows that hit any unique constraint, including one committed by a concurrent request a moment
    ago, are skipped instead of failing the transaction. Returns the ``returning`` columns of the
    rows actually inserted. On PostgreSQL, batches of ``MIN_COPY_ROWS`` or more go through ``COPY``
    and a staging table (``bulk_copy.py``): same result, a fraction of the work.
    """
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    try:
        insert = _INSERTS[dialect]
    except KeyError:  # pragma: no cover - guarded by the supported-backend list in the README
        raise RuntimeError(f"Unsupported database backend {dialect!r}") from None
    if dialect == "postgresql" and len(rows) >= MIN_COPY_ROWS:
        names = [column.key for column in returning]
        return copy_insert_ignoring_conflicts(session, model.__table__, rows, names)
    stmt = insert(model).on_conflict_do_nothing()
    if returning:
        return list(session.execute(stmt.returning(*returning), list(rows)))
    session.execute(stmt, list(rows))
    return []


def insert_new_rows(session: Session, model: type, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows that cannot conflict (their keys were created in this transaction): ``COPY`` on
    PostgreSQL for large batches, else the bulk INSERT."""
    if session.get_bind().dialect.name == "postgresql" and len(rows) >= MIN_COPY_ROWS:
        copy_rows(session, model.__table__, rows)
    else:
        insert_ignoring_conflicts(session, model, rows)


def flush_or_conflict(session: Session, message: str) -> None:
    """Flush pending changes; a unique/foreign-key violation becomes a ``ConflictError`` (409)."""
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise ConflictError(message) from exc
