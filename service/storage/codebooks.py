"""Codebook DAO: immutable uploaded versions, one row each. Never commits."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classifiers import Codebook
from service.storage.errors import ConflictError
from service.storage.tables import StoredCodebook
from service.storage.upsert import flush_or_conflict


def add_codebook_version(session: Session, codebook: Codebook) -> tuple[StoredCodebook, bool]:
    """Store a new version of ``codebook.key``; the same content again returns the stored row.

    A different content under a version string that is already taken is a ``ConflictError``:
    versions are immutable, so a change needs a new ``version``.
    """
    same = session.scalar(
        select(StoredCodebook).where(StoredCodebook.key == codebook.key, StoredCodebook.hash == codebook.hash)
    )
    if same is not None:
        return same, False
    taken = session.scalar(
        select(StoredCodebook).where(
            StoredCodebook.key == codebook.key, StoredCodebook.version == codebook.version
        )
    )
    if taken is not None:
        raise ConflictError(
            f"Version {codebook.version!r} of codebook {codebook.key!r} already exists with other content "
            f"(hash {taken.hash}); versions are immutable, so give the changed codebook a new version."
        )
    row = StoredCodebook(
        key=codebook.key, version=codebook.version, hash=codebook.hash, content=codebook.to_dict()
    )
    session.add(row)
    flush_or_conflict(session, f"Codebook {codebook.key!r} {codebook.version!r} was stored concurrently.")
    return row, True


def find_codebook_version(
    session: Session, key: str, *, version: str | None = None, hash_: str | None = None
) -> StoredCodebook | None:
    """The latest stored version of ``key`` (or the one with this version string / hash), or None."""
    stmt = select(StoredCodebook).where(StoredCodebook.key == key)
    if version is not None:
        stmt = stmt.where(StoredCodebook.version == version)
    if hash_ is not None:
        stmt = stmt.where(StoredCodebook.hash == hash_)
    return session.scalar(stmt.order_by(StoredCodebook.id.desc()).limit(1))


def list_codebook_versions(session: Session, key: str) -> list[StoredCodebook]:
    """Every stored version of ``key``, oldest first."""
    return list(session.scalars(select(StoredCodebook).where(StoredCodebook.key == key).order_by("id")))


def list_latest_codebooks(session: Session) -> list[StoredCodebook]:
    """The latest stored version of every uploaded key, by key."""
    latest = select(func.max(StoredCodebook.id)).group_by(StoredCodebook.key)
    stmt = select(StoredCodebook).where(StoredCodebook.id.in_(latest)).order_by(StoredCodebook.key)
    return list(session.scalars(stmt))
