"""/v1/jobs: background classify and export runs; progress, cancel, the export's file."""

from __future__ import annotations

from typing import Any

from flask import current_app, send_file, url_for
from flask.views import MethodView

from service.exporting import MEDIA_TYPES
from service.importing import start_import
from service.jobs import ThreadExecutor, resubmit_stale_jobs, submit_job
from service.jobs.runner import result_path
from service.parsing import Blueprint
from service.resources.common import page_body, pop_page_args
from service.schemas.common import PROBLEM
from service.schemas.jobs import (
    JOB_EXAMPLE,
    ImportArgsSchema,
    JobCreateSchema,
    JobListArgsSchema,
    JobPageSchema,
    JobSchema,
)
from service.storage import jobs as dao
from service.storage.db import get_session
from service.storage.errors import ConflictError, NotFoundError
from service.storage.tables import Job

blp = Blueprint(
    "jobs",
    __name__,
    url_prefix="/v1/jobs",
    description="Background work over stored articles: `classify` (label them with the served model), "
    "`export` (a CSV/NDJSON file to download) and `import` (a CSV/NDJSON file of articles to store and "
    "label). Jobs work in committed chunks and resume where they stopped.",
)

_IMPORT_DOC = {
    "requestBody": {
        "content": {
            "text/csv": {
                "schema": {"type": "string", "description": "A header of article fields, then rows."}
            },
            "application/x-ndjson": {"schema": {"type": "string", "description": "One article per line."}},
        }
    }
}


@blp.route("")
class Jobs(MethodView):
    @blp.arguments(JobListArgsSchema, location="query")
    @blp.response(200, JobPageSchema)
    def get(self, args: dict[str, Any]):
        """List jobs (oldest first), filtered by `status` and `kind`"""
        return page_body(dao.list_jobs(get_session(), **pop_page_args(args), **args))

    @blp.arguments(JobCreateSchema, example=JOB_EXAMPLE)
    @blp.response(202, JobSchema)
    @blp.alt_response(422, **PROBLEM, description="Unknown kind, filter or option.")
    def post(self, data: dict[str, Any]):
        """Start a job; 202 with `Location: /v1/jobs/{id}` to follow its progress"""
        session = get_session()
        job = dao.create_job(session, data["kind"], data["params"])
        session.commit()
        submit_job(job.id)
        _resume_abandoned()
        return job, 202, {"Location": url_for("jobs.JobItem", job_id=job.id, _external=True)}


@blp.route("/import")
class JobImport(MethodView):
    @blp.arguments(ImportArgsSchema, location="query")
    @blp.response(202, JobSchema)
    @blp.alt_response(413, **PROBLEM, description="The file is over MAX_IMPORT_BYTES (see /v1/limits).")
    @blp.alt_response(415, **PROBLEM, description="Not text/csv or application/x-ndjson.")
    @blp.alt_response(422, **PROBLEM, description="Empty file, or CSV columns no article has.")
    @blp.doc(**_IMPORT_DOC)
    def post(self, args: dict[str, Any]):
        """Import a CSV or NDJSON file of articles as a job; 202 with `Location` to follow it

        The file is the body (up to `max_import_bytes`, larger than a batch). Each record is checked
        like an item of `POST /v1/articles/batch`; bad ones are listed in `errors` by `line` and field
        and skipped, the rest are stored (deduplicated) and labelled in committed chunks.
        """
        session = get_session()
        job = start_import(session, create_missing=args["create_missing"])
        session.commit()
        submit_job(job.id)
        _resume_abandoned()
        return job, 202, {"Location": url_for("jobs.JobItem", job_id=job.id, _external=True)}


@blp.route("/<int:job_id>")
class JobItem(MethodView):
    @blp.response(200, JobSchema)
    @blp.alt_response(404, **PROBLEM)
    def get(self, job_id: int):
        """A job's status, progress (`done` of `total`, `rate`, `eta_seconds`), errors and result"""
        return dao.get_job(get_session(), job_id)

    @blp.response(200, JobSchema)
    @blp.alt_response(404, **PROBLEM)
    @blp.alt_response(409, **PROBLEM, description="The job has already succeeded or failed.")
    def delete(self, job_id: int):
        """Cancel a queued or running job (same as `POST /v1/jobs/{id}/cancel`)"""
        return _cancel(job_id)


@blp.route("/<int:job_id>/cancel")
class JobCancel(MethodView):
    @blp.response(200, JobSchema)
    @blp.alt_response(404, **PROBLEM)
    @blp.alt_response(409, **PROBLEM, description="The job has already succeeded or failed.")
    def post(self, job_id: int):
        """Cancel a queued or running job: it stops before its next chunk commits"""
        return _cancel(job_id)


@blp.route("/<int:job_id>/result")
class JobResult(MethodView):
    @blp.response(200, description="The export file (CSV or NDJSON).")
    @blp.alt_response(404, **PROBLEM)
    @blp.alt_response(409, **PROBLEM, description="Not an export, or not finished.")
    def get(self, job_id: int):
        """Download a finished export job's file"""
        job = dao.get_job(get_session(), job_id)
        if job.kind != "export" or job.status != "succeeded":
            raise ConflictError(
                f"Job {job.id} is a {job.kind} job with status {job.status}; no file to download."
            )
        return _send_export(job)


def _cancel(job_id: int) -> Job:
    session = get_session()
    job = dao.cancel_job(session, dao.get_job(session, job_id))
    session.commit()
    return job


def _send_export(job: Job) -> Any:
    format_, path = job.params["format"], result_path(job)
    if not path.exists():
        raise NotFoundError(
            f"Job {job.id}'s file is not on this host; put FRAMESCOPE_JOB_RESULTS_DIR on storage every "
            "web host and worker shares."
        )
    return send_file(
        path, mimetype=MEDIA_TYPES[format_], as_attachment=True, download_name=f"job-{job.id}.{format_}"
    )


def _resume_abandoned() -> None:
    """No queue: a job whose process died resumes when another is posted (or `flask jobs resume`)."""
    if isinstance(current_app.extensions["framescope"]["jobs"], ThreadExecutor):
        resubmit_stale_jobs()
