"""Running one job: claim it, work in committed chunks keyed by article id, finish or fail.

Classify jobs are split into parts that several runners work at once (``service.jobs.parts``);
export and train jobs have one runner. Each chunk (``JOB_CHUNK_ARTICLES`` articles in id order) is
one transaction: its labels (classify) or the fsync'd bytes it appended (export) and the job's new
``cursor`` commit together, through a fenced update (``service.storage.jobs.advance_job``). A
runner killed at any point leaves the job at its last committed chunk; the next runner starts after
``cursor`` (and truncates an export file to the committed size), so no label or line is lost or
written twice. Runs inside an app context: the worker command's (RQ) or the app's own background
thread (no queue configured).
"""

from __future__ import annotations

import logging
import os
import time
from itertools import islice
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func
from sqlalchemy.orm import Session

from service.classifier_registry import get_model
from service.exporting import export_chunks, export_filters
from service.importing import count_records, read_records, store_records, upload_path
from service.jobs import submit_helpers
from service.jobs.parts import JobLost, split_job, work_parts
from service.memory import release_free_memory
from service.model_registry import train_from_annotations
from service.schemas.jobs import JobFilterSchema
from service.storage.article_exports import last_article_id
from service.storage.articles import select_articles
from service.storage.jobs import advance_job, claim_job, get_job
from service.storage.tables import Article, Job, utcnow

__all__ = ["JobLost", "run_job"]

log = logging.getLogger("framescope.jobs")


def run_job(job_id: int, helper: bool = False) -> str | None:
    """Run (or resume) job ``job_id`` to its end; its final status, or None if it was not ours to run.

    This is the function the RQ worker imports by name (``service.jobs.runner.run_job``). A
    ``helper`` joins a classify job another runner claimed and split into parts (``parts.py``); it
    returns None unless it finished the job's last part.
    """
    factory = current_app.extensions["framescope"]["write_sessionmaker"]
    with factory() as session:
        if helper:
            job = session.get(Job, job_id)
            if job is None or job.status != "running" or job.kind != "classify":
                return None
            attempt = job.attempt
        else:
            attempt = claim_job(session, job_id)
            session.commit()
            if attempt is None:
                return None
            job = get_job(session, job_id)
        log.info("job started", extra={"job_id": job_id, "kind": job.kind, "attempt": attempt})
        try:
            if job.kind == "classify":
                return _finish_classify(session, job, attempt, helper)
            result = _RUNNERS[job.kind](session, job, attempt)
            _commit(session, job, attempt, status="succeeded", finished_at=utcnow(), result=result)
            if job.kind == "import":  # a failed import keeps its file, to see what went wrong
                upload_path(job.id, job.params["format"]).unlink(missing_ok=True)
            log.info("job succeeded", extra={"job_id": job_id, "done": job.done})
            return "succeeded"
        except JobLost:
            session.rollback()
            session.refresh(job)
            if job.status == "cancelled" and job.kind == "export":
                result_path(job).unlink(missing_ok=True)
            if job.status == "cancelled" and job.kind == "import":
                upload_path(job.id, job.params["format"]).unlink(missing_ok=True)
            log.info("job stopped", extra={"job_id": job_id, "status": job.status})
            return job.status
        except Exception as exc:
            session.rollback()
            session.refresh(job)
            log.exception("job failed", extra={"job_id": job_id})
            errors = [*job.errors, {"detail": f"{type(exc).__name__}: {exc}"[:500], "after_id": job.cursor}]
            advance_job(
                session,
                job_id,
                attempt,
                status="failed",
                finished_at=utcnow(),
                errors=errors[-20:],
                n_errors=job.n_errors + 1,
            )
            session.commit()
            return "failed"


def _finish_classify(session: Session, job: Job, attempt: int, helper: bool) -> str | None:
    """Split (claiming runner), ask for helpers, work parts; "succeeded" if this runner ended the job."""
    filters = _prepare(session, job, attempt)
    if not helper:
        model_version = get_model().version
        n_open = split_job(session, job, filters)
        result = {"model_version": model_version, "n_classified": 0, **(job.result or {})}
        _commit(session, job, attempt, result=result)
        n_helpers = min(n_open, int(current_app.config["JOB_MAX_RUNNERS"])) - 1
        submit_helpers(job.id, n_helpers)
    if not work_parts(session, job, filters):
        return None
    log.info("job succeeded", extra={"job_id": job.id})
    return "succeeded"


def _commit(session: Session, job: Job, attempt: int, **values: Any) -> None:
    """Fenced update of the job plus everything the chunk wrote, in one commit (or JobLost)."""
    if not advance_job(session, job.id, attempt, **values):
        raise JobLost(job.id)
    session.commit()
    session.refresh(job)


def _prepare(session: Session, job: Job, attempt: int) -> dict[str, Any]:
    """The job's filters (validated again, datetimes parsed); fixes ``upto`` and ``total`` once."""
    filters = export_filters(session, JobFilterSchema().load(job.params.get("filter") or {}))
    if job.upto is None:
        upto = last_article_id(session)
        count = select_articles(columns=[func.count(Article.id)], **filters).where(Article.id <= upto)
        _commit(session, job, attempt, upto=upto, total=session.scalar(count))
    return filters


class _Progress:
    """Rate of the current attempt (articles per second since it claimed the job)."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.n = 0

    def add(self, n: int) -> float:
        self.n += n
        return round(self.n / max(time.monotonic() - self.started, 1e-6), 2)


def results_dir() -> Path:
    """Where export files go: ``JOB_RESULTS_DIR`` (shared storage across hosts) or the instance folder."""
    path = Path(current_app.config.get("JOB_RESULTS_DIR") or Path(current_app.instance_path) / "job-results")
    path.mkdir(parents=True, exist_ok=True)
    return path


def result_path(job: Job) -> Path:
    return results_dir() / f"job-{job.id}.{job.params['format']}"


def run_export(session: Session, job: Job, attempt: int) -> dict[str, Any]:
    """Write the export file chunk by chunk; each chunk is fsync'd before the cursor commits."""
    filters = _prepare(session, job, attempt)
    format_ = job.params["format"]
    path = result_path(job)
    size = int((job.result or {}).get("bytes", 0))
    progress = _Progress()
    with open(path, "r+b" if path.exists() else "w+b") as out:
        out.truncate(size)  # drop whatever a killed runner wrote after its last commit
        out.seek(size)
        chunks = export_chunks(session, format_, filters, after=job.cursor, upto=job.upto, header=size == 0)
        for last_id, n_articles, data in chunks:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
            size += len(data)
            result = {"format": format_, "bytes": size}
            rate = progress.add(n_articles)
            _commit(
                session, job, attempt, cursor=last_id, done=job.done + n_articles, rate=rate, result=result
            )
    return {"format": format_, "bytes": size, "n_articles": job.done}


def run_import(session: Session, job: Job, attempt: int) -> dict[str, Any]:
    """Store and label an uploaded file's articles, chunk by chunk; bad records are listed, skipped.

    The byte offset and line after the last committed chunk are in ``result``, so a resumed job
    reads on from there; stored articles are deduplicated, so nothing is stored twice either way.
    """
    format_ = job.params["format"]
    path = upload_path(job.id, format_)
    state = {"format": format_, "offset": 0, "line": 0, "n_created": 0, "n_existing": 0, "n_invalid": 0}
    state.update(job.result or {})
    if job.total is None:
        _commit(session, job, attempt, total=count_records(path, format_), result=state)
    chunk, progress = int(current_app.config["JOB_CHUNK_ARTICLES"]), _Progress()
    records = read_records(path, format_, offset=state["offset"], line=state["line"])
    while batch := list(islice(records, chunk)):
        created, errors = store_records(session, batch, create_missing=job.params["create_missing"])
        n_invalid = len({error["line"] for error in errors})
        state.update(
            offset=batch[-1].end_offset, line=batch[-1].end_line, n_invalid=state["n_invalid"] + n_invalid
        )
        state["n_created"] += created
        state["n_existing"] += len(batch) - n_invalid - created
        _commit(
            session,
            job,
            attempt,
            cursor=job.cursor + len(batch),
            done=job.done + len(batch),
            rate=progress.add(len(batch)),
            result=dict(state),
            errors=(job.errors + errors)[: int(current_app.config["IMPORT_LISTED_ERRORS"])],
            n_errors=job.n_errors + len(errors),
        )
        release_free_memory()
        if state["n_invalid"] > int(current_app.config["IMPORT_MAX_INVALID"]):
            raise ValueError(
                f"{state['n_invalid']} invalid records, more than FRAMESCOPE_IMPORT_MAX_INVALID allows; "
                "the articles before them are stored. Fix the file and import the rest again."
            )
    return state


def run_train(session: Session, job: Job, attempt: int) -> dict[str, Any]:
    """Train a model from coded articles; the stored model commits with the job's progress, fenced."""
    _commit(session, job, attempt, total=1)
    result = train_from_annotations(session, job.params, job_id=job.id)
    _commit(session, job, attempt, done=1, rate=None, result=result)
    return result


_RUNNERS = {"export": run_export, "import": run_import, "train": run_train}
