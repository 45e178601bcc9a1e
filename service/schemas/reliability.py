"""Schemas for /v1/reliability: which codes to compare and how, and the tidy answer."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate
from webargs.fields import DelimitedList

from service.limits import ConfiguredMax
from service.schemas.common import Key

RELIABILITY_TABLES = ("agreement", "model_scores", "warnings")
RESAMPLES = ConfiguredMax("MAX_RELIABILITY_RESAMPLES", unit="resamples", measure=int)


class ReliabilityArgsSchema(ma.Schema):
    codebook = Key(load_default="conflict", metadata={"description": "Codebook key (its latest version)."})
    coders = DelimitedList(
        Key(),
        required=True,
        validate=validate.Length(min=1, max=50),
        metadata={"description": "Coders to compare, separated by commas (one is enough with `model`)."},
    )
    target = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "Stance target (default: the codebook's default target)."},
    )
    model = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "A stored model version, added as a coder and scored against the coders."},
    )
    n_resamples = fields.Integer(
        validate=[validate.Range(min=0), RESAMPLES],
        metadata={"description": "Bootstrap resamples (default FRAMESCOPE_RELIABILITY_RESAMPLES, 1000)."},
    )
    confidence_level = fields.Float(validate=validate.Range(min=0.5, max=0.999))
    seed = fields.Integer(
        validate=validate.Range(min=0, max=2**32 - 1), metadata={"description": "Bootstrap seed (0)."}
    )
    format = fields.String(
        validate=validate.OneOf(("json", "csv")),
        metadata={"description": "`json` (default) or `csv` (one table; also `Accept: text/csv`)."},
    )
    table = fields.String(
        validate=validate.OneOf(RELIABILITY_TABLES),
        metadata={"description": "Table of a CSV answer (agreement)."},
    )


class AgreementRowSchema(ma.Schema):
    variable = fields.String(metadata={"description": "`frame` (presence), `dominant_frame` or `stance`."})
    category = fields.String(allow_none=True, metadata={"description": "The frame key for `frame` rows."})
    coders = fields.String(metadata={"example": "alice,bob"})
    n_coders = fields.Integer()
    includes_model = fields.Boolean()
    n_units = fields.Integer(metadata={"description": "Articles coded by at least two of the coders."})
    n_values = fields.Integer()
    alpha = fields.Float(allow_none=True, metadata={"description": "Krippendorff's alpha (nominal)."})
    ci_low = fields.Float(allow_none=True)
    ci_high = fields.Float(allow_none=True)
    confidence_level = fields.Float()
    n_resamples = fields.Integer()
    percent_agreement = fields.Float(allow_none=True)
    flag = fields.String(
        allow_none=True, metadata={"description": "`unacceptable` < .667 <= `tentative` < .8."}
    )
    note = fields.String(allow_none=True)


class ModelScoreRowSchema(ma.Schema):
    variable = fields.String()
    category = fields.String(allow_none=True)
    reference = fields.String(metadata={"description": "A coder, or `consensus` (majority; ties left out)."})
    precision = fields.Float(allow_none=True)
    recall = fields.Float(allow_none=True)
    f1 = fields.Float(allow_none=True)
    accuracy = fields.Float()
    n_units = fields.Integer()
    average = fields.String(
        metadata={"description": "`binary` (frames) or `macro` (dominant frame, stance)."}
    )


class WarningRowSchema(ma.Schema):
    code = fields.String()
    outlet = fields.String(allow_none=True)
    frame = fields.String(allow_none=True)
    message = fields.String()


class ReliabilityTablesSchema(ma.Schema):
    agreement = fields.List(fields.Nested(AgreementRowSchema))
    model_scores = fields.List(fields.Nested(ModelScoreRowSchema))
    warnings = fields.List(fields.Nested(WarningRowSchema))


class ReliabilityResponseSchema(ma.Schema):
    metadata = fields.Dict()
    tables = fields.Nested(ReliabilityTablesSchema)
