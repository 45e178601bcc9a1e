"""Schemas for /v1/evidence: which cell (or stance bar) to open, and the articles with their sentences."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate
from webargs.fields import DelimitedList

from classifiers.codebook import STANCE_LABELS
from service.schemas.attributes import GROUP_BY
from service.schemas.checks import check_target
from service.schemas.classify import ModelRefSchema
from service.schemas.common import Key

MAX_EVIDENCE_ARTICLES = 100


class EvidenceArgsSchema(ma.Schema):
    """A heatmap cell is (outlet or group, frame); a stance bar is (outlet or group, stance label)."""

    frame = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "Frame key: articles where it is present, with its evidence sentences."},
    )
    stance = fields.String(
        validate=validate.OneOf(STANCE_LABELS),
        metadata={
            "description": "Stance label: articles with it, with the stance evidence (without `frame`)."
        },
    )
    target = fields.String(validate=check_target, metadata={"description": "Stance target key."})
    events = DelimitedList(
        Key(),
        validate=validate.Length(min=1, max=500),
        metadata={
            "description": "Event keys separated by commas, or `all` (default: any article).",
            "example": "port-selenko-strike",
        },
    )
    outlets = DelimitedList(Key(), metadata={"description": "Only these outlets (keys separated by commas)."})
    group_by = GROUP_BY
    group = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "With `group_by`: the outlets whose attribute has this value.",
            "example": "state-aligned",
        },
    )
    model_version = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Labels of this model version (default: the served model)."},
    )
    limit = fields.Integer(
        load_default=20,
        validate=validate.Range(min=1, max=MAX_EVIDENCE_ARTICLES),
        metadata={"description": f"Articles to return (oldest first; at most {MAX_EVIDENCE_ARTICLES})."},
    )

    @ma.validates_schema
    def check_cell(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if "frame" not in data and "stance" not in data:
            raise ma.ValidationError(
                "Name a frame (a heatmap cell) or a stance label (a stance bar).", "frame"
            )
        if ("group" in data) != ("group_by" in data):
            missing = "group_by" if "group" in data else "group"
            raise ma.ValidationError("`group` and `group_by` go together.", missing)


class SentenceSchema(ma.Schema):
    sentence = fields.String()
    start = fields.Integer(metadata={"description": "Offset into `text` (or `title` when `field` says so)."})
    end = fields.Integer(metadata={"description": "`text[start:end] == sentence`."})
    score = fields.Float()
    field = fields.String(metadata={"description": "`text` or `title`.", "enum": ["text", "title"]})


class EvidenceStanceSchema(ma.Schema):
    target = fields.String(allow_none=True)
    label = fields.String(allow_none=True)


class EvidenceArticleSchema(ma.Schema):
    id = fields.Integer()
    outlet = fields.String()
    outlet_name = fields.String()
    event = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    title = fields.String()
    published_at = fields.AwareDateTime(allow_none=True)
    text = fields.String()
    dominant_frame = fields.String(allow_none=True)
    stance = fields.Nested(EvidenceStanceSchema)
    evidence = fields.List(fields.Nested(SentenceSchema))


class EvidenceResponseSchema(ma.Schema):
    model = fields.Nested(ModelRefSchema)
    frame = fields.String(allow_none=True)
    stance = fields.String(allow_none=True)
    outlets = fields.List(
        fields.String(), metadata={"description": "The outlets searched (a group's outlets)."}
    )
    n_articles = fields.Integer(metadata={"description": "Matching articles (the list holds up to `limit`)."})
    articles = fields.List(fields.Nested(EvidenceArticleSchema))
