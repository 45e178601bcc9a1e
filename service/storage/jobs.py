"""Job DAO: create, read, list, claim (fenced by ``attempt``), advance, cancel. Never commits.

Every write a runner makes is a conditional ``UPDATE ... WHERE id = :id AND attempt = :attempt AND
status = 'running'``: if the job was cancelled or claimed by another runner meanwhile, nothing is
updated and the runner rolls its chunk back, so a job's labels are written by one runner at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.storage.errors import ConflictError, NotFoundError
from service.storage.pagination import CursorPage, fetch_page
from service.storage.tables import Job, JobPart, utcnow

ACTIVE = ("queued", "running")
FINISHED = ("succeeded", "failed", "cancelled")


def create_job(session: Session, kind: str, params: Mapping[str, Any]) -> Job:
    job = Job(
        kind=kind,
        status="queued",
        params=dict(params),
        errors=[],
        done=0,
        cursor=0,
        attempt=0,
        n_errors=0,
        resumed_done=0,
    )
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFoundError(f"No job with id {job_id}.")
    return job


def list_jobs(
    session: Session, *, after: int | None, limit: int, status: str | None = None, kind: str | None = None
) -> CursorPage:
    stmt = select(Job)
    if status is not None:
        stmt = stmt.where(Job.status == status)
    if kind is not None:
        stmt = stmt.where(Job.kind == kind)
    return fetch_page(session, stmt, Job.id, after=after, limit=limit)


def claim_job(session: Session, job_id: int) -> int | None:
    """Take a queued job; returns the new attempt number, or None if another runner has it or it ended
    (a job whose runner died is put back to ``queued`` by :func:`requeue_stale_jobs` first)."""
    now = utcnow()
    claimed = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "queued")
        .values(
            status="running", attempt=Job.attempt + 1, updated_at=now, started_at=now, resumed_done=Job.done
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return None
    return session.scalar(select(Job.attempt).where(Job.id == job_id))


def advance_job(session: Session, job_id: int, attempt: int, **values: Any) -> bool:
    """Apply ``values`` (and a fresh heartbeat) if this runner still owns the running job."""
    values.setdefault("updated_at", utcnow())
    changed = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.attempt == attempt, Job.status == "running")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return changed.rowcount == 1


def cancel_job(session: Session, job: Job) -> Job:
    """Queued or running -> cancelled (the runner stops before its next chunk commits); 409 if finished."""
    if job.status in FINISHED:
        if job.status == "cancelled":
            return job
        raise ConflictError(
            f"Job {job.id} has already {job.status}; only queued or running jobs can be cancelled."
        )
    now = utcnow()
    session.execute(
        update(Job)
        .where(Job.id == job.id, Job.status.in_(ACTIVE))
        .values(status="cancelled", updated_at=now, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(job)
    return job


def requeue_stale_jobs(session: Session, *, stale_before: datetime) -> list[int]:
    """Jobs nobody is working on (queued or running, heartbeat older than ``stale_before``: their
    message was lost or their runner died) back to ``queued`` with a fresh heartbeat, and their
    running parts back to ``pending`` (a new ``attempt`` fences the dead runners); their ids."""
    stmt = select(Job.id).where(Job.status.in_(ACTIVE), Job.updated_at < stale_before).order_by(Job.id)
    ids = list(session.scalars(stmt))
    if ids:
        session.execute(  # parts first, as runners lock them (part, then job): no deadlock
            update(JobPart)
            .where(JobPart.job_id.in_(ids), JobPart.status == "running")
            .values(status="pending", attempt=JobPart.attempt + 1)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(Job)
            .where(Job.id.in_(ids), Job.status.in_(ACTIVE), Job.updated_at < stale_before)
            .values(status="queued", updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return ids
