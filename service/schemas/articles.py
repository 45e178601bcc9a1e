"""Article schemas: ingest (one or a batch), read, partial update, list filters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import marshmallow as ma
from flask import current_app
from marshmallow import fields, validate

from classifiers.codebook import STANCE_LABELS
from service.limits import TEXT_LENGTH
from service.schemas.article_shape import LANGUAGE, URL, ArticleShapeSchema, split_published
from service.schemas.checks import check_frame, check_target, has_words
from service.schemas.classify import ClassificationSummarySchema
from service.schemas.common import Key, ListArgsSchema, OutletRef, PageSchema
from service.schemas.dates import PRECISIONS, PublishedAt

#: Request-body examples shown (and pre-filled for "Try it out") in Swagger UI at /docs: the sample
#: files (invented war coverage, see fixtures/samples/README.md), so docs and samples never drift.
SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "samples"
ARTICLE_EXAMPLE = json.loads((SAMPLES / "article.json").read_text(encoding="utf-8"))
BATCH_EXAMPLE = json.loads((SAMPLES / "articles.json").read_text(encoding="utf-8"))[:3]
CSV_EXAMPLE = "".join((SAMPLES / "articles.csv").read_text(encoding="utf-8").splitlines(keepends=True)[:4])


class ArticleSchema(ma.Schema):
    id = fields.Integer(dump_only=True, metadata={"example": 1})
    outlet = fields.Function(lambda a: a.outlet.key, metadata={"example": "harbour-gazette"})
    outlet_name = fields.Function(
        lambda a: a.outlet.name, metadata={"type": "string", "example": "Harbour Gazette"}
    )
    event = fields.Function(
        lambda a: a.event.key if a.event else None,
        allow_none=True,
        metadata={"example": "zarichne-power-strike"},
    )
    url = fields.String(allow_none=True, metadata={"example": "https://example.org/news/2026/05/01/ballot"})
    title = fields.Function(lambda a: a.title or None, allow_none=True, metadata={"type": "string"})
    published_at = fields.AwareDateTime(
        allow_none=True,
        metadata={"description": "Start of the period when `published_precision` is not `datetime`."},
    )
    published_precision = fields.String(
        allow_none=True,
        metadata={"enum": list(PRECISIONS), "description": "How much of `published_at` is known."},
    )
    author = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    text = fields.String()
    content_hash = fields.String(
        metadata={"description": "sha256 of the normalised text (dedup key per outlet)."}
    )
    word_count = fields.Integer()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    syndication_cluster = fields.Function(
        lambda a: a.signature.cluster_id if a.signature else None,
        allow_none=True,
        metadata={
            "type": "integer",
            "description": "Near-copies of this text stored for other articles (a wire story reprinted, "
            "trimmed or reworded) share this id: the id of the cluster's earliest article. Null when "
            "no copy is known.",
            "example": 17,
        },
    )
    classification = fields.Nested(
        ClassificationSummarySchema,
        allow_none=True,
        dump_default=None,
        metadata={"description": "Stored result of the served model (null if not classified by it)."},
    )


class ArticleUpdateSchema(ma.Schema):
    event = Key(allow_none=True, metadata={"description": "Event key, or null to detach."})
    url = fields.String(allow_none=True, validate=URL, metadata={"format": "uri"})
    title = fields.String(allow_none=True, validate=validate.Length(max=1000))
    published_at = PublishedAt(allow_none=True)
    language = fields.String(allow_none=True, validate=LANGUAGE)
    author = fields.String(allow_none=True, validate=validate.Length(max=300))
    text = fields.String(validate=[TEXT_LENGTH, has_words])

    @ma.post_load
    def complete(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        if "title" in data:
            data["title"] = (data["title"] or "").strip() and data["title"]
        split_published(data)
        return data


class ArticleCreateSchema(ArticleShapeSchema):
    """One article to store: the shared article shape with ``outlet`` required (``id`` and
    ``target`` are accepted and ignored)."""

    outlet = OutletRef(required=True)


class ArticleBatchSchema(ArticleCreateSchema):
    """One item of a batch; the list as a whole is capped by ``MAX_BATCH_ITEMS``."""

    @ma.pre_load(pass_collection=True)
    def cap_batch(self, data: Any, many: bool, **_kwargs: Any) -> Any:
        limit = current_app.config["MAX_BATCH_ITEMS"]
        if many and not isinstance(data, list):  # before the item validators, which expect a list
            raise ma.ValidationError("Send a JSON array of articles (or NDJSON, one per line).")
        if many and isinstance(data, list) and len(data) > limit:
            raise ma.ValidationError(
                f"At most {limit} articles per request (limit FRAMESCOPE_MAX_BATCH_ITEMS); got {len(data)}."
            )
        if many and isinstance(data, list) and not data:
            raise ma.ValidationError("Send at least one article.")
        return data


class IngestArgsSchema(ma.Schema):
    create_missing = fields.Boolean(
        load_default=False,
        metadata={"description": "Create outlets/events referenced by an unknown key (name/title = key)."},
    )


class ArticleListArgsSchema(ListArgsSchema):
    outlet = OutletRef(metadata={"description": "Outlet key or display name."})
    event = Key(metadata={"description": "Event key."})
    published_from = PublishedAt(
        keep_precision=False,
        metadata={"description": "Inclusive lower bound on published_at (`2024-11` = from 1 November)."},
    )
    published_to = PublishedAt(
        keep_precision=False,
        metadata={"description": "Exclusive upper bound on published_at (`2024-12` = before December)."},
    )
    language = fields.String(validate=LANGUAGE)
    frame = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={
            "description": "Frame key: only articles where it is present (a frame of `model_version`)."
        },
    )
    stance = fields.String(
        validate=validate.OneOf(STANCE_LABELS), metadata={"description": "Stance label toward the target."}
    )
    target = fields.String(
        validate=check_target, metadata={"description": "Stance target key (with `stance`, or alone)."}
    )
    model_version = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Classifications to filter on (default: the served model's)."},
    )
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(
            ["json"], error="The list is JSON only; for CSV or NDJSON use GET /v1/articles/export."
        ),
        metadata={"description": "Only `json`; CSV and NDJSON come from `/v1/articles/export`."},
    )

    @ma.validates_schema
    def check_served_frame(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """Without ``model_version`` the served model's codebook names the frames (a stored
        version's frames are checked against its rows by the view)."""
        if "frame" in data and "model_version" not in data:
            try:
                check_frame(data["frame"])
            except ma.ValidationError as exc:
                raise ma.ValidationError(exc.messages, field_name="frame") from exc

    @ma.validates_schema
    def check_range(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if (
            data.get("published_from")
            and data.get("published_to")
            and data["published_to"] <= data["published_from"]
        ):
            raise ma.ValidationError("Must be after published_from.", field_name="published_to")


class ArticlePageSchema(PageSchema):
    items = fields.List(fields.Nested(ArticleSchema))


class BatchItemResultSchema(ma.Schema):
    index = fields.Integer()
    id = fields.Integer()
    created = fields.Boolean(metadata={"description": "False when the item matched a stored article."})


class BatchResultSchema(ma.Schema):
    n_items = fields.Integer()
    n_created = fields.Integer()
    n_existing = fields.Integer()
    items = fields.List(fields.Nested(BatchItemResultSchema))


class ArticleExportArgsSchema(ArticleListArgsSchema):
    """The list filters (no pagination: an export has every matching article) and the file format."""

    class Meta:
        exclude = ("cursor", "limit")

    format = fields.String(
        load_default="csv",
        validate=validate.OneOf(["csv", "ndjson"]),
        metadata={"description": "`csv` (one column per frame score/presence) or `ndjson` (adds evidence)."},
    )
