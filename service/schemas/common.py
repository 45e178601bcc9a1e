"""Shared schema pieces: keys, cursors, list envelopes and the problem+json document."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from service.limits import PAGE_SIZE

KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
#: Largest id a cursor may name (ids are signed 64-bit columns).
MAX_ID = 2**63 - 1


class FullMatch(validate.Regexp):
    """``validate.Regexp`` that must match the whole value: ``$`` alone also admits a final newline.

    The pattern itself stays as written, so the OpenAPI ``pattern`` (ECMA-262) is unchanged.
    """

    def __call__(self, value: str) -> str:
        if not isinstance(value, str) or self.regex.fullmatch(value) is None:
            raise ma.ValidationError(self._format_error(value))
        return value


KEY_VALIDATOR = FullMatch(
    KEY_PATTERN, error="Use 1-64 letters, digits, '.', '_' or '-' (e.g. 'the-guardian')."
)
PAGE_SIZE_MAX = 500


def Key(**kwargs: Any) -> fields.String:  # noqa: N802 - reads like a field class at the call site
    """A human-chosen slug that identifies an outlet or event in URLs and article payloads."""
    return fields.String(
        validate=KEY_VALIDATOR, metadata={"example": "the-guardian"} | kwargs.pop("metadata", {}), **kwargs
    )


class _OutletRefField(fields.String):
    """A string with surrounding whitespace removed (names come from spreadsheets)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()


def OutletRef(**kwargs: Any) -> fields.String:  # noqa: N802
    """An outlet by key (``abc-news``) or display name (``ABC News``): both reach the same outlet.

    Resolution (``service.storage.outlets.resolve_outlets``): a stored key, else a stored name,
    else the key derived from the name (``service.naming.outlet_key``).
    """
    metadata = {
        "description": "Outlet key (`abc-news`) or display name (`ABC News`); a new outlet gets the key "
        "derived from its name and keeps the name.",
        "example": "ABC News",
    } | kwargs.pop("metadata", {})
    return _OutletRefField(validate=validate.Length(min=1, max=200), metadata=metadata, **kwargs)


def UTCDateTime(**kwargs: Any) -> fields.AwareDateTime:  # noqa: N802
    """ISO 8601 date-time; a missing offset means UTC."""
    return fields.AwareDateTime(default_timezone=UTC, **kwargs)


class Cursor(fields.String):
    """Opaque continuation token; decodes to the last id already returned."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        raw = super()._deserialize(value, attr, data, **kwargs)
        try:
            decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("ascii")
            prefix, _, number = decoded.partition(":")
            if prefix != "after" or not number.isdigit() or len(number) > 19 or int(number) > MAX_ID:
                raise ValueError(decoded)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise ma.ValidationError(
                "Not a valid cursor; use the 'next' link of the previous page."
            ) from None
        return int(number)


def encode_cursor(after_id: int) -> str:
    return base64.urlsafe_b64encode(f"after:{after_id}".encode("ascii")).decode("ascii").rstrip("=")


class ListArgsSchema(ma.Schema):
    """Keyset pagination arguments shared by every list endpoint."""

    cursor = Cursor(metadata={"description": "Token from the previous page's `next` link."})
    limit = fields.Integer(
        load_default=50,
        validate=[validate.Range(min=1), PAGE_SIZE],
        metadata={"description": f"Items per page (1-{PAGE_SIZE_MAX}).", "maximum": PAGE_SIZE_MAX},
    )


class PageSchema(ma.Schema):
    """Envelope for list responses; ``next`` is an absolute URL, null on the last page."""

    next = fields.String(allow_none=True, metadata={"description": "URL of the next page, or null."})


class FieldErrorSchema(ma.Schema):
    field = fields.String(allow_none=True, metadata={"example": "url"})
    index = fields.Integer(metadata={"description": "Position in a batch request (0-based)."})
    location = fields.String(metadata={"example": "json"})
    pointer = fields.String(metadata={"example": "/3/url"})
    detail = fields.String(metadata={"example": "Not a valid URL."})


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details (``application/problem+json``); documents every error response."""

    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String(metadata={"example": "Unprocessable Content"})
    status = fields.Integer(metadata={"example": 422})
    detail = fields.String(metadata={"example": "The request body has 2 invalid field(s)."})
    instance = fields.String(metadata={"example": "/v1/articles"})
    request_id = fields.String(metadata={"example": "5f0c6b0e8d6f4b49a4f7c1f0d1e2a3b4"})
    errors = fields.List(fields.Nested(FieldErrorSchema))


#: ``@blp.alt_response(404, **PROBLEM)`` documents an error with the media type it is really sent as.
PROBLEM: dict = {"schema": ProblemSchema, "content_type": "application/problem+json"}
