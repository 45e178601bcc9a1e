"""Schemas for /v1/models: the served model and the model versions with stored results."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from service.schemas.model_registry import TrainedModelSchema


class StoredVersionSchema(ma.Schema):
    version = fields.String()
    codebook = fields.String()
    codebook_hash = fields.String()
    n_articles = fields.Integer(metadata={"description": "Stored articles classified by this version."})
    last_stored_at = fields.AwareDateTime(allow_none=True)


class ModelSchema(ma.Schema):
    """The served (active) model: version, codebook, training manifest and cross-validated metrics."""

    version = fields.String(metadata={"example": "conflict-sparse-3f787990ab0d"})
    codebook = fields.String(metadata={"example": "conflict"})
    codebook_hash = fields.String(metadata={"example": "b302e27efa3a409c"})
    target = fields.String(metadata={"description": "Default stance target."})
    trained_at = fields.String(allow_none=True)
    corpus_hash = fields.String(allow_none=True)
    sklearn_version = fields.String(allow_none=True)
    metrics = fields.Dict(metadata={"description": "Cross-validated summary (see docs/model-card.md)."})
    thresholds = fields.Dict(
        keys=fields.String(),
        values=fields.Float(),
        metadata={"description": "Per frame: `present` is `score` >= this threshold."},
    )
    manifest = fields.Dict(metadata={"description": "The full manifest saved with the model."})
    shipped_version = fields.String(
        metadata={"description": "The model trained from the repository's corpus."}
    )
    registry = fields.List(
        fields.Nested(TrainedModelSchema),
        metadata={"description": "Models trained here from coded articles (POST /v1/models)."},
    )
    stored_versions = fields.List(
        fields.Nested(StoredVersionSchema),
        metadata={"description": "Versions with stored results; `flask classify --missing` fills gaps."},
    )
