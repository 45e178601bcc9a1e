"""Job parts DAO: split a job into id ranges, claim one, advance it (fenced), finish the job. Never commits.

Several runners (one per ``flask jobs worker`` process) work one classify job by each claiming a
part. A claim is a compare-and-set on the part's ``attempt`` (``UPDATE ... WHERE attempt = :seen``),
taken on PostgreSQL from ``SELECT ... FOR UPDATE SKIP LOCKED`` so concurrent claimers never queue
behind one another; on SQLite writers are serialised already (``BEGIN IMMEDIATE``) and the same
compare-and-set is enough. Every chunk commit is fenced by the part's ``attempt``: a runner whose
part was taken over (its heartbeat went stale) cannot commit again, so no label is written twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, func, or_, select, update
from sqlalchemy.orm import Session

from service.storage.tables import Job, JobPart, utcnow

#: Errors kept in ``jobs.errors`` (the count goes on in ``n_errors``).
KEPT_ERRORS = 20


def plan_parts(session: Session, ids: Select, *, upto: int, part_size: int) -> list[tuple[int, int]]:
    """``(lo, hi]`` id ranges of about ``part_size`` matching articles each, covering ``(0, upto]``.

    ``ids`` selects the matching article ids; every ``part_size``-th one (by a window function, so
    no id list is loaded) closes a part.
    """
    sub = ids.subquery()
    numbered = select(sub.c.id, func.row_number().over(order_by=sub.c.id).label("n")).subquery()
    stmt = select(numbered.c.id).where(numbered.c.n % part_size == 0).order_by(numbered.c.id)
    bounds = [b for b in session.scalars(stmt) if b < upto]
    edges = [0, *bounds, upto]
    return [(lo, hi) for lo, hi in zip(edges, edges[1:], strict=False) if hi > lo]


def create_parts(session: Session, job_id: int, ranges: list[tuple[int, int]]) -> None:
    session.add_all(
        JobPart(job_id=job_id, lo=lo, hi=hi, cursor=lo, status="pending", attempt=0, done=0)
        for lo, hi in ranges
    )
    session.flush()


def has_parts(session: Session, job_id: int) -> bool:
    return bool(session.scalar(select(exists().where(JobPart.job_id == job_id))))


def claim_part(session: Session, job_id: int, *, stale_before: datetime) -> JobPart | None:
    """Take the first pending part, or a running one whose heartbeat is older than ``stale_before``
    (its runner died); the part with its new ``attempt``, or None when nothing is left to take."""
    claimable = or_(
        JobPart.status == "pending", (JobPart.status == "running") & (JobPart.heartbeat < stale_before)
    )
    stmt = select(JobPart.id, JobPart.attempt).where(JobPart.job_id == job_id, claimable)
    stmt = stmt.order_by(JobPart.lo).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    for _ in range(100):  # a lost compare-and-set (another claimer won) just tries the next part
        row = session.execute(stmt).first()
        if row is None:
            return None
        part_id, seen = row
        taken = session.execute(
            update(JobPart)
            .where(JobPart.id == part_id, JobPart.attempt == seen)
            .values(status="running", attempt=seen + 1, heartbeat=utcnow())
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:
            return session.execute(
                select(JobPart).where(JobPart.id == part_id).execution_options(populate_existing=True)
            ).scalar_one()
    return None  # pragma: no cover - a hundred lost races in a row


def advance_part(session: Session, part: JobPart, **values: Any) -> bool:
    """Apply ``values`` (and a fresh heartbeat) if this runner still holds the part."""
    changed = session.execute(
        update(JobPart)
        .where(JobPart.id == part.id, JobPart.attempt == part.attempt, JobPart.status == "running")
        .values(heartbeat=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    return changed.rowcount == 1


def add_progress(
    session: Session,
    job_id: int,
    *,
    n_done: int,
    result: Mapping[str, int] | None = None,
    error: dict[str, Any] | None = None,
) -> Job | None:
    """Add a committed chunk to the job: ``done``, counters in ``result``, an error, rate, heartbeat.

    The job row is locked (``FOR UPDATE``) so runners on other parts add to it one at a time;
    returns None (write nothing) when the job is no longer running (cancelled or abandoned).
    """
    job = session.execute(
        select(Job).where(Job.id == job_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    if job.status != "running":
        return None
    now = utcnow()
    job.done += n_done
    counters = dict(job.result or {})
    for key, value in (result or {}).items():
        counters[key] = counters.get(key, 0) + value
    job.result = counters
    if error is not None:
        job.errors = [*job.errors, error][-KEPT_ERRORS:]
        job.n_errors += 1
    if job.started_at is not None:
        seconds = max((now - job.started_at).total_seconds(), 1e-3)
        job.rate = round((job.done - job.resumed_done) / seconds, 2)
    job.updated_at = now
    session.flush()
    return job


def finish_if_all_done(session: Session, job_id: int) -> bool:
    """Running job whose parts are all done -> succeeded; one runner wins (a conditional update)."""
    now = utcnow()
    open_parts = exists().where(JobPart.job_id == job_id, JobPart.status != "done")
    finished = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "running", ~open_parts)
        .values(status="succeeded", finished_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return finished.rowcount == 1
