"""Outlet schemas."""

from __future__ import annotations

import json
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from service.limits import ConfiguredMax
from service.naming import outlet_key
from service.schemas.attributes import Attributes
from service.schemas.common import FullMatch, Key, ListArgsSchema, PageSchema

_COUNTRY = FullMatch(r"^[A-Z]{2}$", error="Use an ISO 3166-1 alpha-2 code such as 'GB'.")
_LANGUAGE = FullMatch(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", error="Use a BCP 47 tag such as 'en' or 'pt-BR'.")
#: Free-form metadata is stored and sent with every outlet listing: its JSON size is capped.
_METADATA_SIZE = ConfiguredMax(
    "MAX_METADATA_BYTES", unit="bytes of JSON", measure=lambda value: len(json.dumps(value).encode("utf-8"))
)


class OutletSchema(ma.Schema):
    key = Key(dump_only=True)
    name = fields.String(metadata={"example": "The Guardian"})
    domain = fields.String(allow_none=True, metadata={"example": "theguardian.com"})
    country = fields.String(allow_none=True, metadata={"example": "GB"})
    language = fields.String(allow_none=True, metadata={"example": "en"})
    metadata = fields.Dict(
        attribute="extra",
        keys=fields.String(),
        metadata={
            "description": "Free-form descriptors, e.g. ownership or a leaning you assign.",
            "example": {"ownership": "Scott Trust", "leaning": "centre-left"},
        },
    )
    attributes = fields.Function(
        lambda o: o.attributes or {}, metadata={"example": {"type": "state-aligned"}}
    )
    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)


class OutletUpdateSchema(ma.Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    domain = fields.String(allow_none=True, validate=validate.Length(max=253))
    country = fields.String(allow_none=True, validate=_COUNTRY)
    language = fields.String(allow_none=True, validate=_LANGUAGE)
    metadata = fields.Dict(
        attribute="extra", keys=fields.String(), data_key="metadata", validate=_METADATA_SIZE
    )
    attributes = Attributes()


class OutletCreateSchema(OutletUpdateSchema):
    key = Key(metadata={"description": 'Default: derived from `name` ("ABC News" -> `abc-news`).'})
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    metadata = fields.Dict(
        attribute="extra",
        keys=fields.String(),
        data_key="metadata",
        load_default=dict,
        validate=_METADATA_SIZE,
    )
    attributes = Attributes(load_default=dict)

    @ma.post_load
    def derive_key(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        """Without a key, the one articles naming the outlet by ``name`` would create."""
        data.setdefault("key", outlet_key(data["name"]))
        return data


class OutletListArgsSchema(ListArgsSchema):
    country = fields.String(validate=_COUNTRY)
    language = fields.String(validate=_LANGUAGE)


class OutletPageSchema(PageSchema):
    items = fields.List(fields.Nested(OutletSchema))
