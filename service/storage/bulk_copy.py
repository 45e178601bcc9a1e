"""PostgreSQL bulk writes through ``COPY``: many rows in one stream instead of INSERT statements.

``INSERT ... VALUES`` (even multi-row, SQLAlchemy's insertmanyvalues) makes the server parse,
plan and type-check every batch and the client render every parameter; ``COPY`` streams rows in
PostgreSQL's text format and the server only parses them. Rows that may hit a unique constraint
are copied into a temporary staging table (one per connection, emptied at commit) and moved with
one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING``, so deduplication under concurrency
stays with the database constraints exactly as with the plain INSERT path (``upsert.py``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.orm import Session

#: Batches smaller than this keep the INSERT path (a COPY round trip costs more than it saves).
MIN_COPY_ROWS = 50


def copy_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``COPY table (columns) FROM STDIN`` of ``rows`` (rows that cannot conflict: fresh keys)."""
    columns = _columns(table, rows)
    with _cursor(session) as cursor, cursor.copy(_copy_sql(table.name, columns)) as copy:
        for row in _values(table, columns, rows):
            copy.write_row(row)


def copy_insert_ignoring_conflicts(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], returning: Sequence[str]
) -> list[tuple[Any, ...]]:
    """``rows`` into ``table`` skipping any that hit a unique constraint; ``returning`` of the new ones."""
    columns = _columns(table, rows)
    stage = f"_stage_{table.name}"
    names = ", ".join(columns)
    with _cursor(session) as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS "
            f"SELECT {names} FROM {table.name} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {stage}")  # a second batch in the same transaction
        with cursor.copy(_copy_sql(stage, columns)) as copy:
            for row in _values(table, columns, rows):
                copy.write_row(row)
        insert = f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {stage} ON CONFLICT DO NOTHING"
        if not returning:
            cursor.execute(insert)
            return []
        cursor.execute(f"{insert} RETURNING {', '.join(returning)}")
        return [tuple(row) for row in cursor.fetchall()]


def _cursor(session: Session) -> Any:
    """A psycopg cursor on the session's own connection, so the writes join its transaction."""
    session.flush()  # pending ORM rows (a new outlet) first: the copied rows may refer to them
    return session.connection().connection.driver_connection.cursor()


def _copy_sql(name: str, columns: Sequence[str]) -> str:
    return f"COPY {name} ({', '.join(columns)}) FROM STDIN"


def _columns(table: Table, rows: Sequence[dict[str, Any]]) -> list[str]:
    """The rows' columns plus those with a Python-side default (server defaults apply by themselves)."""
    given = list(rows[0])
    defaulted = [c.name for c in table.columns if c.name not in given and c.default is not None]
    return given + defaulted


def _values(table: Table, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> Any:
    as_json = {c.name for c in table.columns if isinstance(c.type, JSON)}
    defaults = {
        c.name: c.default.arg(None) if c.default.is_callable else c.default.arg
        for c in table.columns
        if c.name in columns and c.default is not None and not c.default.is_sequence
    }
    for row in rows:
        yield [_dump(row[name] if name in row else defaults[name], name in as_json) for name in columns]


def _dump(value: Any, is_json: bool) -> Any:
    if is_json:
        return None if value is None else json.dumps(value)
    return value
