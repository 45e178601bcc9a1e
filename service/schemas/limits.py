"""Schema for /v1/limits: the request limits in force, so clients can size their batches."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields


class LimitsSchema(ma.Schema):
    """Each number is the setting of the same name (``FRAMESCOPE_<NAME>``) on this server."""

    max_batch_items = fields.Integer(
        metadata={
            "description": "Items per batch request (articles, annotations, classify, compare).",
            "example": 10000,
        }
    )
    max_content_length = fields.Integer(
        metadata={"description": "Bytes of one request body (413 above).", "example": 67108864}
    )
    max_json_values = fields.Integer(
        metadata={
            "description": "JSON values (objects, strings, numbers, ...) in one body.",
            "example": 250000,
        }
    )
    max_text_chars = fields.Integer(
        metadata={"description": "Characters of one article text.", "example": 500000}
    )
    max_classify_chars = fields.Integer(
        metadata={"description": "Characters of text in one classify or compare request.", "example": 5000000}
    )
    page_size_max = fields.Integer(
        metadata={"description": "Largest `limit` of a list page.", "example": 500}
    )
    max_import_bytes = fields.Integer(
        metadata={
            "description": "Bytes of one file sent to `POST /v1/jobs/import` (413 above).",
            "example": 1073741824,
        }
    )
    rate_limit = fields.String(
        allow_none=True,
        metadata={
            "description": "Requests per key (or client address); null when not limited.",
            "example": "600 per minute",
        },
    )
