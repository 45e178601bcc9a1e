"""Schemas for /v1/codebooks: the frame and stance-target definitions behind every label."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields


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


class CodebookSummarySchema(ma.Schema):
    key = fields.String(metadata={"example": "conflict"})
    version = fields.String()
    label = fields.String()
    hash = fields.String()
    served = fields.Boolean()


class CodebookListSchema(ma.Schema):
    items = fields.List(fields.Nested(CodebookSummarySchema))
