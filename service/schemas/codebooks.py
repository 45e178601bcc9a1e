"""Schemas for /v1/codebooks: the frame and stance-target definitions behind every label."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from service.schemas.common import FullMatch, Key


class FrameDefSchema(ma.Schema):
    key = fields.String()
    label = fields.String()
    definition = fields.String()
    include = fields.List(fields.String())
    exclude = fields.List(fields.String())
    indicators = fields.List(fields.String())


class TargetDefSchema(ma.Schema):
    key = fields.String()
    label = fields.String()
    description = fields.String()
    labels = fields.List(fields.String())
    aliases = fields.List(fields.String())
    side_terms = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class CodebookSchema(ma.Schema):
    key = fields.String(metadata={"example": "conflict"})
    version = fields.String()
    label = fields.String()
    hash = fields.String(metadata={"description": "First 16 hex digits of sha256(canonical JSON)."})
    default_target = fields.String()
    present_rule = fields.String()
    frames = fields.List(fields.Nested(FrameDefSchema))
    targets = fields.List(fields.Nested(TargetDefSchema))
    served = fields.Boolean(metadata={"description": "True for the codebook of the served model."})
    source = fields.String(metadata={"description": "`shipped` (fixtures/, read-only) or `uploaded`."})
    created_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "Upload time (null if shipped)."}
    )


class CodebookSummarySchema(ma.Schema):
    key = fields.String(metadata={"example": "conflict"})
    version = fields.String()
    label = fields.String()
    hash = fields.String()
    served = fields.Boolean()
    source = fields.String()
    created_at = fields.AwareDateTime(allow_none=True)


class CodebookVersionsSchema(ma.Schema):
    items = fields.List(fields.Nested(CodebookSummarySchema), metadata={"description": "Oldest first."})


class CodebookArgsSchema(ma.Schema):
    version = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "A version string (default: latest)."},
    )
    hash = fields.String(
        validate=validate.Regexp(r"^[0-9a-f]{16}$", error="A codebook hash is 16 hex digits."),
        metadata={"description": "A content hash (default: latest)."},
    )


_VERSION = FullMatch(r"^[^\x00-\x1f\x7f]{1,64}$", error="1-64 characters, no control characters.")


class VersionString(fields.String):
    """A version written as text or as a bare YAML number (``version: 2`` reads as ``"2"``)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        return super()._deserialize(value, attr, data, **kwargs)


class CodebookUploadSchema(ma.Schema):
    """The shape of an upload; the content rules are classifiers.codebook's (422 naming the field)."""

    key = Key(required=True, metadata={"example": "protest"})
    version = VersionString(required=True, validate=_VERSION, metadata={"example": "1.0"})
    label = fields.String(required=True, validate=validate.Length(min=1, max=300))
    present_rule = fields.String(validate=validate.Length(max=10_000))
    default_target = fields.String(required=True, validate=validate.Length(min=1, max=64))
    frames = fields.List(
        fields.Dict(keys=fields.String()), required=True, validate=validate.Length(min=1, max=100)
    )
    targets = fields.List(
        fields.Dict(keys=fields.String()), required=True, validate=validate.Length(min=1, max=100)
    )


class CodebookListSchema(ma.Schema):
    items = fields.List(fields.Nested(CodebookSummarySchema))
