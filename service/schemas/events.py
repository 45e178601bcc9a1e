"""Event schemas."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from service.limits import DESCRIPTION_LENGTH
from service.schemas.common import Key, ListArgsSchema, PageSchema, UTCDateTime


class EventSchema(ma.Schema):
    key = Key(dump_only=True)
    title = fields.String(metadata={"example": "Drone strike on the Zarichne power station"})
    description = fields.String(allow_none=True)
    starts_at = fields.AwareDateTime(allow_none=True)
    ends_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)


class EventUpdateSchema(ma.Schema):
    title = fields.String(validate=validate.Length(min=1, max=300))
    description = fields.String(allow_none=True, validate=DESCRIPTION_LENGTH)
    starts_at = UTCDateTime(allow_none=True)
    ends_at = UTCDateTime(allow_none=True)

    @ma.validates_schema
    def check_window(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] < data["starts_at"]:
            raise ma.ValidationError("Must not be before starts_at.", field_name="ends_at")


class EventCreateSchema(EventUpdateSchema):
    key = Key(required=True, metadata={"example": "zarichne-power-strike"})
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))


class EventPageSchema(PageSchema):
    items = fields.List(fields.Nested(EventSchema))


EventListArgsSchema = ListArgsSchema
