"""Annotation schemas: coders' codes (JSON array, NDJSON or CSV rows), list filters, output."""

from __future__ import annotations

import json
from typing import Any

import marshmallow as ma
from flask import current_app
from marshmallow import fields, validate

from service.schemas.common import Key, ListArgsSchema, OutletRef, PageSchema

_LABEL = fields.String(validate=validate.Length(min=1, max=64))
#: Columns of an export that are not codes; an exported CSV file can be imported as it is.
EXPORT_ONLY = ("id", "outlet", "event", "codebook_hash", "created_at", "updated_at")
EXPORT_FORMATS = ("csv", "ndjson")
ANNOTATION_EXAMPLE = {
    "article_id": 1,
    "coder": "alice",
    "codebook": "conflict",
    "frames": ["support-commitment", "military-operations"],
    "dominant": "support-commitment",
    "stance": "neutral",
    "spans": [{"start": 0, "end": 64, "frames": ["support-commitment"], "stance": "neutral"}],
}


class SpanSchema(ma.Schema):
    """Sentence-level codes: characters ``start``-``end`` of the article text (``text[start:end]``)."""

    start = fields.Integer(required=True, validate=validate.Range(min=0, max=100_000_000))
    end = fields.Integer(required=True, validate=validate.Range(min=1, max=100_000_000))
    frames = fields.List(_LABEL, load_default=list, validate=validate.Length(max=100))
    stance = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=16))

    @ma.validates_schema(skip_on_field_errors=False)
    def check_order(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if "start" in data and "end" in data and data["end"] <= data["start"]:
            raise ma.ValidationError("Must be greater than start.", field_name="end")


class AnnotationCreateSchema(ma.Schema):
    article_id = fields.Integer(required=True, strict=False, validate=validate.Range(min=1, max=2**63 - 1))
    coder = Key(required=True, metadata={"example": "alice", "description": "Who coded (a key you choose)."})
    codebook = Key(load_default="conflict", metadata={"example": "conflict"})
    frames = fields.List(_LABEL, load_default=list, validate=validate.Length(max=100))
    dominant = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))
    target = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "Stance target (default: the codebook's default target)."},
    )
    stance = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=16),
        metadata={"description": "A label of the target, or null: the article does not concern it."},
    )
    spans = fields.List(fields.Nested(SpanSchema), load_default=list, validate=validate.Length(max=2000))

    @ma.pre_load
    def read_csv_cells(self, data: Any, **_kwargs: Any) -> Any:
        """CSV cells are text: ``frames`` separated by ``;``, ``spans`` as JSON; export-only columns go."""
        if not isinstance(data, dict):
            return data
        data = {k: v for k, v in data.items() if k not in EXPORT_ONLY}
        if isinstance(data.get("frames"), str):
            data["frames"] = [f.strip() for f in data["frames"].split(";") if f.strip()]
        if isinstance(data.get("spans"), str):
            try:
                data["spans"] = json.loads(data["spans"])
            except ValueError:
                raise ma.ValidationError("Not valid JSON.", field_name="spans") from None
        return data

    @ma.validates_schema(skip_on_field_errors=False)
    def check_frames(self, data: dict[str, Any], **_kwargs: Any) -> None:
        frames = data.get("frames", [])
        if len(set(frames)) != len(frames):
            raise ma.ValidationError("Each frame at most once.", field_name="frames")
        if data.get("dominant") is not None and data["dominant"] not in frames:
            raise ma.ValidationError("The dominant frame must be one of `frames`.", field_name="dominant")


class AnnotationBatchSchema(AnnotationCreateSchema):
    """One item of a batch; the batch holds 1 to ``MAX_BATCH_ITEMS`` items."""

    @ma.pre_load(pass_collection=True)
    def cap_items(self, data: Any, many: bool, **_kwargs: Any) -> Any:
        limit = int(current_app.config["MAX_BATCH_ITEMS"])
        size = len(data) if many and isinstance(data, list) else None
        if size == 0 or (size or 0) > limit:
            message = (
                f"Send 1 to {limit} annotations per request (limit FRAMESCOPE_MAX_BATCH_ITEMS); got {size}."
            )
            raise ma.ValidationError(message)
        return data


class AnnotationSchema(ma.Schema):
    id = fields.Integer()
    article_id = fields.Integer()
    outlet = fields.Function(lambda a: a.article.outlet.key)
    event = fields.Function(lambda a: a.article.event.key if a.article.event else None, allow_none=True)
    coder = fields.String()
    codebook = fields.String(attribute="codebook_key")
    codebook_hash = fields.String(metadata={"description": "The codebook version the codes were made under."})
    frames = fields.List(fields.String())
    dominant = fields.String(allow_none=True)
    target = fields.String(attribute="stance_target", allow_none=True)
    stance = fields.String(allow_none=True)
    spans = fields.List(fields.Nested(SpanSchema))
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class AnnotationFilterSchema(ma.Schema):
    coder = Key()
    article_id = fields.Integer(validate=validate.Range(min=1, max=2**63 - 1))
    codebook = Key()
    event = Key()
    outlet = OutletRef(metadata={"description": "Outlet key or display name."})


class AnnotationListArgsSchema(ListArgsSchema, AnnotationFilterSchema):
    pass


class AnnotationExportArgsSchema(AnnotationFilterSchema):
    format = fields.String(load_default="csv", validate=validate.OneOf(EXPORT_FORMATS))


class AnnotationPageSchema(PageSchema):
    items = fields.List(fields.Nested(AnnotationSchema))


class AnnotationResultItemSchema(ma.Schema):
    index = fields.Integer()
    id = fields.Integer()
    created = fields.Boolean(metadata={"description": "False when it replaced a stored annotation."})


class AnnotationBatchResultSchema(ma.Schema):
    n_items = fields.Integer()
    n_created = fields.Integer()
    n_replaced = fields.Integer()
    items = fields.List(fields.Nested(AnnotationResultItemSchema))


class SuggestArgsSchema(ma.Schema):
    codebook = fields.String(load_default="conflict", validate=validate.Length(1, 64))
    n = fields.Integer(
        load_default=20, validate=validate.Range(1, 200), metadata={"description": "How many."}
    )
    coders = fields.String(
        validate=validate.Length(1, 1000),
        metadata={"description": "Comma-separated: skip only articles these coders coded (default: anyone)."},
    )
    event = fields.String(validate=validate.Length(1, 64))
    outlet = fields.String(validate=validate.Length(1, 64))

    @ma.post_load
    def split_coders(self, data: dict, **_kwargs) -> dict:
        if "coders" in data:
            data["coders"] = [c.strip() for c in data["coders"].split(",") if c.strip()]
        return data


class SuggestionSchema(ma.Schema):
    rank = fields.Integer()
    article_id = fields.Integer()
    title = fields.String()
    outlet = fields.String()
    event = fields.String(allow_none=True)
    uncertainty = fields.Float(
        metadata={"description": "0 = the model is sure of every label, 1 = coin flips."}
    )


class SuggestionsSchema(ma.Schema):
    model_version = fields.String()
    codebook = fields.String()
    n_candidates = fields.Integer(metadata={"description": "Labelled, not yet coded articles considered."})
    method = fields.String()
    items = fields.List(fields.Nested(SuggestionSchema))
