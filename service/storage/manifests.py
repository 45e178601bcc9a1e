"""Manifest DAO: record an analysis answer's manifest (or count a re-run of it), read one back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.storage.errors import NotFoundError
from service.storage.tables import Manifest, utcnow


def record_run(
    session: Session, manifest_id: str, endpoint: str, document: Mapping[str, Any], result_hash: str
) -> Manifest:
    """Insert the manifest, or count another run of it; a different result marks it not reproduced.

    Two identical requests at once may both insert: the loser's savepoint rolls back and it counts
    its run on the row the winner wrote.
    """
    row = session.get(Manifest, manifest_id)
    if row is None:
        try:
            with session.begin_nested():
                row = Manifest(
                    id=manifest_id, endpoint=endpoint, document=dict(document), result_hash=result_hash
                )
                session.add(row)
            return row
        except IntegrityError:
            row = session.get(Manifest, manifest_id)
            assert row is not None
    row.n_runs = Manifest.n_runs + 1  # in SQL: concurrent re-runs are all counted
    row.last_run_at = utcnow()
    same = row.result_hash == result_hash
    row.reproduced = same if row.reproduced is None else (row.reproduced and same)
    return row


def get_manifest(session: Session, manifest_id: str) -> Manifest:
    row = session.scalar(select(Manifest).where(Manifest.id == manifest_id))
    if row is None:
        raise NotFoundError(f"No manifest with id {manifest_id!r}.")
    return row
