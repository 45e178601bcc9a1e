"""Manifest schema: what produced an analysis answer, and whether re-runs reproduced it."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields


class ManifestSchema(ma.Schema):
    id = fields.String(metadata={"description": "SHA-256 (first 32 hex) of `document`."})
    endpoint = fields.String(metadata={"example": "GET /v1/events/port-selenko-strike/comparison"})
    document = fields.Dict(
        metadata={
            "description": "Input article set hash (`articles`), `model_version`, `codebook_hash`, "
            "`parameters`, `settings`, `seeds` and `software` versions."
        }
    )
    result_hash = fields.String(metadata={"description": "SHA-256 of the answer's tables (first run)."})
    n_runs = fields.Integer(metadata={"description": "How often this exact analysis was answered."})
    reproduced = fields.Boolean(
        allow_none=True,
        metadata={"description": "Null before a re-run; true while every re-run gave identical tables."},
    )
    created_at = fields.AwareDateTime()
    last_run_at = fields.AwareDateTime()
