"""API keys: only a sha256 of each token is stored; the token itself is shown once, at creation.

A token is 32 random bytes (``secrets.token_urlsafe``), so a plain sha256 is enough: there is nothing
to brute-force that a slow password hash would protect. Lookups go by hash (unique index) and the
stored hash is compared again with ``hmac.compare_digest`` so no timing depends on the token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from service.storage.errors import ConflictError, NotFoundError
from service.storage.pagination import CursorPage, fetch_page
from service.storage.tables import Base, BigId, utcnow

SCOPES = ("read", "write", "admin")
#: A scope grants itself and everything below it: admin > write > read.
IMPLIED_SCOPES = {"read": {"read"}, "write": {"read", "write"}, "admin": {"read", "write", "admin"}}
TOKEN_PREFIX = "fsk_"
MAX_TOKEN_CHARS = 128


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # The first characters of the token, to recognise a key in listings without revealing it.
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Space-separated subset of SCOPES, as granted (implied scopes are not stored).
    scope: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    @property
    def scopes(self) -> list[str]:
        return self.scope.split()

    @property
    def granted(self) -> set[str]:
        """Every scope this key may use, implied ones included."""
        return set().union(*(IMPLIED_SCOPES[s] for s in self.scopes))


@dataclass(frozen=True)
class CreatedKey:
    """A new key and its token; the token exists only here, never in the database or the logs."""

    key: ApiKey
    token: str

    def __getattr__(self, name: str) -> object:
        """Read like the key itself (id, name, scopes, ...), so one schema dumps both."""
        return getattr(self.key, name)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_key(session: Session, name: str, scopes: list[str]) -> CreatedKey:
    """Add a key with a fresh random token; unknown scopes are a ValueError listing the allowed ones."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise ValueError(f"Scopes must be a non-empty subset of {', '.join(SCOPES)}; got {scopes!r}.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ordered = " ".join(s for s in SCOPES if s in scopes)
    key = ApiKey(name=name, prefix=token[:12], token_hash=hash_token(token), scope=ordered)
    session.add(key)
    session.flush()
    return CreatedKey(key, token)


def find_active_key(session: Session, token: str) -> ApiKey | None:
    """The unrevoked key whose token this is, or None (unknown, revoked or malformed token)."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    digest = hash_token(token)
    key = session.scalars(select(ApiKey).where(ApiKey.token_hash == digest)).first()
    if key is None or key.revoked_at is not None or not hmac.compare_digest(key.token_hash, digest):
        return None
    return key


def get_key(session: Session, key_id: int) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFoundError(f"API key {key_id} does not exist.")
    return key


def list_keys(
    session: Session, *, after: int | None = None, limit: int = 50, include_revoked: bool = True
) -> CursorPage:
    stmt = select(ApiKey)
    if not include_revoked:
        stmt = stmt.where(ApiKey.revoked_at.is_(None))
    return fetch_page(session, stmt, ApiKey.id, after=after, limit=limit)


def revoke_key(session: Session, key: ApiKey, *, keep_an_admin: bool = True) -> ApiKey:
    """Mark revoked (kept for the record); revoking twice keeps the first time.

    With ``keep_an_admin`` (every HTTP request) the last active admin key cannot be revoked: nobody
    could manage keys over HTTP afterwards. The server's shell (``flask keys revoke``) may.
    """
    if key.revoked_at is None:
        if keep_an_admin and "admin" in key.scopes and count_active_admin_keys(session) <= 1:
            raise ConflictError(
                f"API key {key.id} is the last active admin key; create another admin key before revoking it."
            )
        key.revoked_at = utcnow()
    return key


def count_active_admin_keys(session: Session) -> int:
    active = session.scalars(select(ApiKey.scope).where(ApiKey.revoked_at.is_(None)))
    return sum("admin" in scope.split() for scope in active)


def count_active_keys(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ApiKey).where(ApiKey.revoked_at.is_(None))) or 0
