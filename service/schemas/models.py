"""Schemas for /v1/models and /v1/codebooks: what produced every label, and the definitions behind it."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields


class StoredVersionSchema(ma.Schema):
    version = fields.String()
    codebook = fields.String()
    codebook_hash = fields.String()
    n_articles = fields.Integer(metadata={"description": "Stored articles classified by this version."})
    last_stored_at = fields.AwareDateTime(allow_none=True)


class ModelSchema(ma.Schema):
    """The served model: version, codebook, training manifest and cross-validated metrics."""

    version = fields.String(metadata={"example": "conflict-sparse-3f787990ab0d"})
    codebook = fields.String(metadata={"example": "conflict"})
    codebook_hash = fields.String(metadata={"example": "b302e27efa3a409c"})
    target = fields.String(metadata={"description": "Default stance target."})
    trained_at = fields.String(allow_none=True)
    corpus_hash = fields.String(allow_none=True)
    sklearn_version = fields.String(allow_none=True)
    metrics = fields.Dict(metadata={"description": "Cross-validated summary (see docs/model-card.md)."})
    manifest = fields.Dict(metadata={"description": "The full manifest saved with the model."})
    stored_versions = fields.List(
        fields.Nested(StoredVersionSchema),
        metadata={"description": "Versions with stored results; `flask classify --missing` fills gaps."},
    )


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
