"""Domain errors raised by storage functions; service.errors maps each one to an HTTP status."""

from __future__ import annotations


class StorageError(ValueError):
    """Base class: a request that the data model refuses."""


class NotFoundError(StorageError):
    """The addressed row does not exist (404)."""


class ConflictError(StorageError):
    """The change would break a uniqueness or reference rule (409)."""


class InvalidItemsError(StorageError):
    """Some submitted items break domain rules (422); ``errors`` names each by index and field."""

    def __init__(self, errors: list[dict], message: str | None = None) -> None:
        super().__init__(message or f"{len(errors)} item(s) are invalid; nothing was stored.")
        self.errors = errors
