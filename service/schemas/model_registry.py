"""Schemas for the model registry: training requests, trained models, activations."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

KEY = validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,63}$", error="Use 1-64 lowercase letters, digits and hyphens.")

TRAIN_EXAMPLE = {"codebook": "conflict", "coders": ["alice", "bob"], "weight": 3}


class TrainRequestSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    codebook = fields.String(load_default="conflict", validate=validate.Length(1, 64))
    coders = fields.List(
        fields.String(validate=validate.Length(1, 64)),
        required=True,
        validate=validate.Length(1, 20),
        metadata={
            "description": "Coders whose annotations train the model; several are combined by majority "
            "per frame and stance (ties: the first coder named)."
        },
    )
    article_ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(1, 2**63 - 1)),
        validate=validate.Length(1, 100_000),
        metadata={"description": "Only these coded articles (default: every article the coders coded)."},
    )
    base = fields.String(
        validate=validate.Length(1, 80),
        metadata={"description": "Model to adapt (default: the codebook's active model)."},
    )
    weight = fields.Integer(
        load_default=3,
        validate=validate.Range(1, 20),
        metadata={"description": "How many times each coded article counts against a corpus article."},
    )
    seed = fields.Integer(load_default=0, validate=validate.Range(0, 2**31 - 1))


class TrainedModelSchema(ma.Schema):
    version = fields.String()
    codebook = fields.String()
    base_version = fields.String()
    active = fields.Boolean()
    created_at = fields.AwareDateTime()
    job_id = fields.Integer(allow_none=True)
    coders = fields.List(fields.String())
    heldout = fields.Dict(
        allow_none=True,
        metadata={"description": "Figures of this model and its base on the held-out coded articles."},
    )


class TrainedModelDetailSchema(TrainedModelSchema):
    manifest = fields.Dict()
    params = fields.Dict()


class ActivationSchema(ma.Schema):
    codebook = fields.String()
    version = fields.String()
    activated_at = fields.AwareDateTime()


class RollbackSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    codebook = fields.String(load_default="conflict", validate=validate.Length(1, 64))
