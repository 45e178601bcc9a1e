"""Job schemas: the request (kind, filter, options), the job's state, list arguments."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import url_for
from marshmallow import fields, validate

from service.schemas.articles import ArticleListArgsSchema
from service.schemas.common import ListArgsSchema, PageSchema

KINDS = ("classify", "export", "import", "train")
STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")

JOB_EXAMPLE = {"kind": "classify", "filter": {"event": "port-selenko-strike"}, "force": False}


class JobFilterSchema(ArticleListArgsSchema):
    """The article-list filters (``outlet``, ``event``, ``published_from``, ``frame``, ...)."""

    class Meta:
        exclude = ("cursor", "limit", "format")
        unknown = ma.RAISE


class JobCreateSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    kind = fields.String(
        required=True,
        validate=validate.OneOf(KINDS),
        metadata={
            "description": "`classify`: label stored articles with the served model; `export`: a file."
        },
    )
    filter = fields.Nested(
        JobFilterSchema,
        load_default=dict,
        metadata={"description": "Which articles: the filters of `GET /v1/articles` (default: all)."},
    )
    force = fields.Boolean(
        load_default=False,
        metadata={"description": "classify: replace labels the served model already stored (default: skip)."},
    )
    format = fields.String(
        validate=validate.OneOf(["csv", "ndjson"]),
        metadata={"description": "export: `csv` (default) or `ndjson`."},
    )

    @ma.validates_schema
    def check_options(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data["kind"] == "train":
            raise ma.ValidationError(
                "Training jobs are started with POST /v1/models (codebook, coders, base).", field_name="kind"
            )
        if data["kind"] == "import":
            raise ma.ValidationError(
                "Send the file itself to POST /v1/jobs/import (text/csv or application/x-ndjson body).",
                field_name="kind",
            )
        if data["kind"] != "export" and "format" in data:
            raise ma.ValidationError("Only export jobs have a format.", field_name="format")
        if data["kind"] != "classify" and data.get("force"):
            raise ma.ValidationError("Only classify jobs can force.", field_name="force")

    @ma.post_load
    def to_params(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        """Parameters as stored (JSON): the filter dumped back to strings, defaults filled in."""
        params: dict[str, Any] = {"filter": JobFilterSchema().dump(data["filter"])}
        if data["kind"] == "classify":
            params["force"] = data["force"]
        else:
            params["format"] = data.get("format", "csv")
        return {"kind": data["kind"], "params": params}


def _eta(job: Any) -> float | None:
    if job.status != "running" or not job.rate or job.total is None:
        return None
    return round(max(job.total - job.done, 0) / job.rate, 1)


def _result(job: Any) -> dict[str, Any] | None:
    if job.result is None:
        return None
    result = dict(job.result)
    if job.kind == "export" and job.status == "succeeded":
        result["url"] = url_for("jobs.JobResult", job_id=job.id, _external=True)
    return result


def _parts(job: Any) -> dict[str, int] | None:
    """Parts by status (classify jobs, split when they start); None before or for other kinds."""
    if not job.parts:
        return None
    counts = {"pending": 0, "running": 0, "done": 0}
    for part in job.parts:
        counts[part.status] += 1
    return counts


class JobSchema(ma.Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": list(KINDS)})
    status = fields.String(metadata={"enum": list(STATUSES)})
    params = fields.Dict(metadata={"description": "`filter`, and `force` (classify) or `format` (export)."})
    total = fields.Integer(
        allow_none=True, metadata={"description": "Matching articles (set when it starts)."}
    )
    done = fields.Integer(metadata={"description": "Articles processed (committed)."})
    rate = fields.Float(allow_none=True, metadata={"description": "Articles per second of the current run."})
    eta_seconds = fields.Function(_eta, allow_none=True, metadata={"description": "Estimated seconds left."})
    attempt = fields.Integer(metadata={"description": "Runs so far (a resumed job has more than one)."})
    parts = fields.Function(
        _parts,
        allow_none=True,
        metadata={
            "description": "classify: id-range parts by status (`pending`, `running`, `done`); workers "
            "take parts at once, so `running` is how many work on the job now."
        },
    )
    n_errors = fields.Integer()
    errors = fields.List(
        fields.Dict(),
        metadata={
            "description": "classify/export: the last 20 errors (`detail`, `after_id`); import: the first "
            "IMPORT_LISTED_ERRORS invalid records (`line`, `field`, `detail`)."
        },
    )
    result = fields.Function(
        _result,
        allow_none=True,
        metadata={
            "description": "classify: `n_classified`, `model_version`; export: `bytes`, `url`; import: "
            "`n_created`, `n_existing`, `n_invalid` (records), `line` and `offset` read so far."
        },
    )
    created_at = fields.AwareDateTime()
    started_at = fields.AwareDateTime(allow_none=True)
    updated_at = fields.AwareDateTime()
    finished_at = fields.AwareDateTime(allow_none=True)


class JobPageSchema(PageSchema):
    items = fields.List(fields.Nested(JobSchema))


class ImportArgsSchema(ma.Schema):
    """Query of ``POST /v1/jobs/import`` (the body is the file)."""

    class Meta:
        unknown = ma.RAISE

    create_missing = fields.Boolean(
        load_default=False,
        metadata={"description": "Create outlets/events the file names that do not exist yet."},
    )


class JobListArgsSchema(ListArgsSchema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    kind = fields.String(validate=validate.OneOf(KINDS))
