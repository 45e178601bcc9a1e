"""Keyset (cursor) pagination: stable under concurrent inserts, unlike page numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class CursorPage:
    """One page of rows and the id to continue after (``None`` on the last page)."""

    items: list[Any]
    next_after: int | None


def fetch_page(
    session: Session, stmt: Select, id_column: Any, *, after: int | None, limit: int
) -> CursorPage:
    """Rows of ``stmt`` with id greater than ``after``, in id order; one extra row tells if more exist."""
    if after is not None:
        stmt = stmt.where(id_column > after)
    rows = list(session.scalars(stmt.order_by(id_column).limit(limit + 1)).unique())
    if len(rows) > limit:
        return CursorPage(rows[:limit], rows[limit - 1].id)
    return CursorPage(rows, None)
