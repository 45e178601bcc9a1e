"""API key schemas: the token appears only in the answer to the create request."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from service.schemas.common import ListArgsSchema, PageSchema
from service.storage.api_keys import SCOPES


class ApiKeySchema(ma.Schema):
    id = fields.Integer(dump_only=True, metadata={"example": 3})
    name = fields.String(metadata={"example": "newsroom-dashboard"})
    prefix = fields.String(
        dump_only=True, metadata={"description": "First characters of the token, to recognise it."}
    )
    scopes = fields.List(fields.String(), metadata={"example": ["read"]})
    created_at = fields.AwareDateTime(dump_only=True)
    revoked_at = fields.AwareDateTime(dump_only=True, allow_none=True)


class ApiKeyCreateSchema(ma.Schema):
    name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Who or what the key is for.", "example": "newsroom-dashboard"},
    )
    scopes = fields.List(
        fields.String(validate=validate.OneOf(SCOPES)),
        required=True,
        validate=validate.Length(min=1, max=len(SCOPES)),
        metadata={"description": "Any of read, write, admin (write implies read; admin implies both)."},
    )


class ApiKeyCreatedSchema(ApiKeySchema):
    token = fields.String(metadata={"description": "The secret key. Shown once; only its sha256 is stored."})


class ApiKeyListArgsSchema(ListArgsSchema):
    include_revoked = fields.Boolean(load_default=True)


class ApiKeyPageSchema(PageSchema):
    items = fields.List(fields.Nested(ApiKeySchema))
