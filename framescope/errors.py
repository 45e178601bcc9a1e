"""Errors the client raises: one type per way a call can fail, each carrying the server's problem+json."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class FramescopeError(Exception):
    """The server refused a request: the RFC 9457 problem document's fields, as attributes.

    ``errors`` lists ``{"field", "detail", "index", "pointer", "location", ...}`` dicts exactly as the
    server sent them (``index`` is the 0-based position in a batch). ``status`` is None when no answer
    came back at all (see :class:`FramescopeConnectionError`).
    """

    status: int | None
    title: str = ""
    detail: str = ""
    type: str = "about:blank"
    instance: str | None = None
    request_id: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    body: Any = None

    def __post_init__(self) -> None:
        super().__init__(self.message())

    def message(self) -> str:
        """One line: status, title, detail, the first few field errors and the request id."""
        head = " ".join(str(part) for part in (self.status, self.title) if part)
        text = f"{head}: {self.detail}" if head and self.detail else head or self.detail
        named = [_describe(error) for error in self.errors[:3]]
        if named:
            more = f" (+{len(self.errors) - 3} more)" if len(self.errors) > 3 else ""
            text += " [" + "; ".join(named) + more + "]"
        if self.request_id:
            text += f" (request {self.request_id})"
        return text

    def __str__(self) -> str:
        return self.message()

    @property
    def fields(self) -> set[str]:
        """The field names the server's ``errors`` name (e.g. ``{"text", "outlet"}``)."""
        return {str(error["field"]) for error in self.errors if error.get("field")}

    @classmethod
    def from_response(cls, status: int, body: Any, request_id: str | None = None) -> FramescopeError:
        """Build from a problem+json body; any other body becomes the ``detail``."""
        kind = error_class(status)
        if not isinstance(body, dict):
            text = str(body or "").strip().splitlines()
            return kind(status=status, detail=text[0][:500] if text else "", request_id=request_id, body=body)
        return kind(
            status=status,
            title=str(body.get("title") or ""),
            detail=str(body.get("detail") or ""),
            type=str(body.get("type") or "about:blank"),
            instance=body.get("instance"),
            request_id=body.get("request_id") or request_id,
            errors=[e for e in body.get("errors") or [] if isinstance(e, dict)],
            body=body,
        )


def _describe(error: dict[str, Any]) -> str:
    where = error.get("field") or error.get("location") or "request"
    if error.get("index") is not None:
        where = f"item {error['index']} {where}"
    elif error.get("row") is not None:
        where = f"row {error['row']} {where}"
    return f"{where}: {error.get('detail', '')}".strip()


class NotFoundError(FramescopeError):
    """404: no such item or route."""


class ConflictError(FramescopeError):
    """409 or 412: the key is taken, the item changed since it was read, or the state forbids it."""


class ValidationError(FramescopeError):
    """422 (or 400): invalid input; ``errors`` names each field (and ``index`` in a batch)."""


class TooLargeError(FramescopeError):
    """413: the request is over a server limit (body bytes or characters of text)."""


class AuthError(FramescopeError):
    """401 or 403: no key, an unknown or revoked key, or a key without the needed scope."""


class RateLimitError(FramescopeError):
    """429 after every allowed retry; ``retry_after`` is what the server asked for last."""

    retry_after: float | None = None


class ServerError(FramescopeError):
    """5xx: the server failed (its log has the traceback under ``request_id``)."""


class FramescopeConnectionError(FramescopeError):
    """No answer: the server could not be reached (or timed out) after every allowed retry."""


_BY_STATUS: dict[int, type[FramescopeError]] = {
    400: ValidationError,
    401: AuthError,
    403: AuthError,
    404: NotFoundError,
    409: ConflictError,
    412: ConflictError,
    413: TooLargeError,
    422: ValidationError,
    429: RateLimitError,
}


def error_class(status: int) -> type[FramescopeError]:
    """The exception type for an HTTP status (``FramescopeError`` for the rest)."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return ServerError if status >= 500 else FramescopeError
