"""Article schemas: ingest (one or a batch), read, partial update, list filters."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import current_app
from marshmallow import fields, validate

from classifiers.codebook import STANCE_LABELS
from service.config import DEFAULTS
from service.limits import TEXT_LENGTH
from service.schemas.attributes import Attributes
from service.schemas.classify import ClassificationSummarySchema, check_frame, check_target
from service.schemas.common import FullMatch, Key, ListArgsSchema, PageSchema, UTCDateTime

#: Documented in OpenAPI; the limit itself is ``app.config["MAX_TEXT_CHARS"]`` (TEXT_LENGTH).
_TEXT_DOC_MAX = DEFAULTS["MAX_TEXT_CHARS"]
_LANGUAGE = FullMatch(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", error="Use a BCP 47 tag such as 'en' or 'pt-BR'.")
_URL = [validate.URL(schemes={"http", "https"}), validate.Length(max=2048)]


def _has_words(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("Must contain non-whitespace text.")


#: Request-body examples shown (and pre-filled for "Try it out") in Swagger UI at /docs.
ARTICLE_EXAMPLE = {
    "outlet": "riverton-herald",
    "event": "riverton-transit-strike",
    "url": "https://herald.riverton.example/news/2026/03/02/commuters-stranded",
    "title": "Commuters stranded as drivers walk out",
    "published_at": "2026-03-02T07:30:00Z",
    "language": "en",
    "text": "Thousands of commuters were left waiting at empty stops on Monday as bus and tram drivers "
    "began a three-day strike.",
}
BATCH_EXAMPLE = [
    ARTICLE_EXAMPLE,
    {
        "outlet": "valley-courier",
        "event": "riverton-transit-strike",
        "url": "https://courier.valley.example/2026/03/02/drivers-strike-over-pay",
        "title": "Drivers strike after years of falling pay",
        "published_at": "2026-03-02T08:10:00Z",
        "language": "en",
        "text": "Drivers on the picket line said their wages had fallen behind rents for five years.",
    },
]


class ArticleSchema(ma.Schema):
    id = fields.Integer(dump_only=True, metadata={"example": 1})
    outlet = fields.Function(lambda a: a.outlet.key, metadata={"example": "the-guardian"})
    event = fields.Function(
        lambda a: a.event.key if a.event else None, allow_none=True, metadata={"example": "election-2026"}
    )
    url = fields.String(allow_none=True, metadata={"example": "https://example.org/news/2026/05/01/ballot"})
    title = fields.String()
    published_at = fields.AwareDateTime(allow_none=True)
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
    url = fields.String(allow_none=True, validate=_URL, metadata={"format": "uri"})
    title = fields.String(validate=validate.Length(min=1, max=1000))
    published_at = UTCDateTime(allow_none=True)
    language = fields.String(allow_none=True, validate=_LANGUAGE)
    text = fields.String(validate=[TEXT_LENGTH, _has_words], metadata={"maxLength": _TEXT_DOC_MAX})


class ArticleCreateSchema(ArticleUpdateSchema):
    outlet = Key(required=True, metadata={"description": "Outlet key."})
    outlet_attributes = Attributes(
        metadata={
            "description": 'Attributes of the outlet (e.g. `{"type": "state-aligned"}`), added to it if it '
            "has none under these keys (with `create_missing=true` a new outlet starts with them); a value "
            "that contradicts the stored one is a 422."
        }
    )
    title = fields.String(
        required=True,
        validate=validate.Length(min=1, max=1000),
        metadata={"example": "Turnout rises as polls close"},
    )
    text = fields.String(
        required=True,
        validate=[TEXT_LENGTH, _has_words],
        metadata={"example": "Voters queued into the evening ...", "maxLength": _TEXT_DOC_MAX},
    )


class ArticleBatchSchema(ArticleCreateSchema):
    """One item of a batch; the list as a whole is capped by ``MAX_BATCH_ITEMS``."""

    @ma.pre_load(pass_collection=True)
    def cap_batch(self, data: Any, many: bool, **_kwargs: Any) -> Any:
        limit = current_app.config["MAX_BATCH_ITEMS"]
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
    outlet = Key(metadata={"description": "Outlet key."})
    event = Key(metadata={"description": "Event key."})
    published_from = UTCDateTime(metadata={"description": "Inclusive lower bound on published_at."})
    published_to = UTCDateTime(metadata={"description": "Exclusive upper bound on published_at."})
    language = fields.String(validate=_LANGUAGE)
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
