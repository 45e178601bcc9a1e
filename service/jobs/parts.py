"""A classify job run by several runners at once: each claims an id range (a part) and works it.

The runner that claims the job (``run_job``) fixes ``upto`` and ``total`` and splits the matching
articles into parts of ``JOB_PART_ARTICLES`` once; with a queue it then asks for up to
``JOB_MAX_RUNNERS - 1`` helpers (more messages for the same job, at the queue's front), so every idle
``flask jobs worker`` process joins. Each runner claims parts until none is left; within a part it
works in chunks of ``JOB_CHUNK_ARTICLES``, and each chunk's labels, the part's ``cursor`` and the
job's ``done`` commit together, fenced by the part's ``attempt``. A killed runner's part is taken
over once its heartbeat is ``JOB_STALE_SECONDS`` old and resumes after its last committed chunk:
no label lost or written twice. Whoever finishes the last part marks the job succeeded.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.classifier_registry import get_model
from service.classifying import classify_stored_articles
from service.memory import release_free_memory
from service.storage.articles import select_articles
from service.storage.classifications import delete_version_classifications
from service.storage.job_parts import (
    add_progress,
    advance_part,
    claim_part,
    create_parts,
    finish_if_all_done,
    has_parts,
    plan_parts,
)
from service.storage.tables import Article, Job, JobPart, utcnow

log = logging.getLogger("framescope.jobs")
#: A job fails when this many of its chunks failed (each is skipped and listed in ``errors``).
MAX_CHUNK_ERRORS = 10


class JobLost(Exception):
    """The job was cancelled or taken over by another runner: stop without committing."""


class TooManyErrors(Exception):
    """``MAX_CHUNK_ERRORS`` chunks failed: the job fails."""


def part_size(total: int) -> int:
    """Articles per part: ``JOB_PART_ARTICLES``, smaller for small jobs so there are about four parts
    per possible runner (runners finish together), never below one chunk (``JOB_CHUNK_ARTICLES``)."""
    config = current_app.config
    chunk, most = int(config["JOB_CHUNK_ARTICLES"]), int(config["JOB_PART_ARTICLES"])
    return max(min(most, -(-total // (4 * int(config["JOB_MAX_RUNNERS"])))), min(chunk, most), 1)


def split_job(session: Session, job: Job, filters: dict[str, Any]) -> int:
    """Create the job's parts once (the claiming runner, before any helper starts); how many exist."""
    if not has_parts(session, job.id):
        ids = select_articles(columns=[Article.id], **filters).where(Article.id <= job.upto)
        size = part_size(job.total or 0)
        create_parts(session, job.id, plan_parts(session, ids, upto=job.upto, part_size=size))
    open_parts = select(func.count()).where(JobPart.job_id == job.id, JobPart.status != "done")
    return int(session.scalar(open_parts) or 0)


def work_parts(session: Session, job: Job, filters: dict[str, Any]) -> bool:
    """Claim and work parts until none is left; True if this runner finished the job."""
    model = get_model()
    stale = timedelta(seconds=float(current_app.config["JOB_STALE_SECONDS"]))
    while True:
        part = claim_part(session, job.id, stale_before=utcnow() - stale)
        session.commit()
        if part is None:
            break
        log.info("job part claimed", extra={"job_id": job.id, "part": part.lo, "attempt": part.attempt})
        _work_part(session, job, part, model, filters)
    finished = finish_if_all_done(session, job.id)
    session.commit()
    return finished


def _work_part(session: Session, job: Job, part: JobPart, model: Any, filters: dict[str, Any]) -> None:
    chunk = int(current_app.config["JOB_CHUNK_ARTICLES"])
    force = bool(job.params.get("force"))
    ids_stmt = select_articles(columns=[Article.id], **filters).order_by(Article.id).limit(chunk)
    cursor = part.cursor
    while True:
        ids = list(session.scalars(ids_stmt.where(Article.id > cursor, Article.id <= part.hi)))
        if not ids:
            if not advance_part(session, part, status="done"):
                raise JobLost(job.id)
            session.commit()
            return
        error = None
        try:
            if force:
                delete_version_classifications(session, ids, model.version)
            n_classified = classify_stored_articles(session, model, ids, chunk_size=chunk)
        except Exception as exc:  # one bad chunk is skipped and reported, the job goes on
            session.rollback()
            log.exception("job chunk failed", extra={"job_id": job.id})
            n_classified = 0
            error = {"detail": f"{type(exc).__name__}: {exc}"[:500], "after_id": cursor}
        moved = advance_part(session, part, cursor=ids[-1], done=JobPart.done + len(ids))
        state = moved and add_progress(
            session, job.id, n_done=len(ids), result={"n_classified": n_classified}, error=error
        )
        if not state:
            session.rollback()
            raise JobLost(job.id)
        if state.n_errors >= MAX_CHUNK_ERRORS:
            session.rollback()
            raise TooManyErrors(error["detail"] if error else "too many failed chunks")
        session.commit()
        release_free_memory()  # the chunk's rows and matrices are garbage now: keep RSS flat
        cursor = ids[-1]
