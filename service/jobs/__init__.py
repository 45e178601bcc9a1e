"""Background jobs: an RQ queue on Redis when configured, else one background thread per process.

``JOB_EXECUTOR`` picks: ``rq`` (``REDIS_URL`` needed; run ``flask --app service jobs worker``,
the Procfile's ``worker:``), ``thread`` (jobs run in the web process that accepted them: ``make run``
alone is enough), or ``auto`` (rq when ``REDIS_URL`` is set). Either way the job's state lives in the
``jobs`` table and the work is done by :func:`service.jobs.runner.run_job`, so a job resumes wherever
it is picked up again. The queue only carries job ids.
"""

from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from flask import Flask, current_app

from service.storage.jobs import requeue_stale_jobs
from service.storage.tables import utcnow

log = logging.getLogger("framescope.jobs")
RUN_JOB = "service.jobs.runner.run_job"


class ThreadExecutor:
    """Jobs run one at a time in a background thread of this process, inside an app context."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.pool: ThreadPoolExecutor | None = None

    def submit(self, job_id: int) -> None:
        with self.lock:
            if self.pool is None:
                self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="framescope-job")
        self.pool.submit(self._run, job_id)

    def submit_helpers(self, job_id: int, n_helpers: int) -> None:
        """One thread per process works one part at a time: no helpers."""

    def _run(self, job_id: int) -> None:
        from service.jobs.runner import run_job

        with self.app.app_context():
            try:
                run_job(job_id)
            except Exception:  # run_job records failures itself; this is a bug or a lost database
                log.exception("job runner crashed", extra={"job_id": job_id})


class RQExecutor:
    """Jobs go to the RQ queue ``JOB_QUEUE`` on ``REDIS_URL``; ``flask jobs worker`` processes run them."""

    def __init__(self, redis_url: str, queue_name: str, timeout: int) -> None:
        self.redis_url = redis_url
        self.queue_name = queue_name
        self.timeout = timeout
        self._queue: Any = None

    @property
    def queue(self) -> Any:
        if self._queue is None:
            from redis import Redis
            from rq import Queue

            self._queue = Queue(self.queue_name, connection=Redis.from_url(self.redis_url))
        return self._queue

    def submit(self, job_id: int) -> None:
        self.queue.enqueue_call(
            RUN_JOB,
            args=(job_id,),
            job_id=f"framescope-{job_id}-{uuid.uuid4().hex[:8]}",  # a resumed job is a new message
            timeout=self.timeout,
            result_ttl=0,
            failure_ttl=7 * 24 * 3600,
        )

    def submit_helpers(self, job_id: int, n_helpers: int) -> None:
        """Messages that let idle workers join a split job (at the front: they start at once)."""
        for _ in range(max(n_helpers, 0)):
            self.queue.enqueue_call(
                RUN_JOB,
                args=(job_id,),
                kwargs={"helper": True},
                job_id=f"framescope-{job_id}-help-{uuid.uuid4().hex[:8]}",
                timeout=self.timeout,
                result_ttl=0,
                failure_ttl=7 * 24 * 3600,
                at_front=True,
            )


def make_executor(app: Flask) -> ThreadExecutor | RQExecutor:
    choice = app.config["JOB_EXECUTOR"]
    if choice not in ("auto", "rq", "thread"):
        raise ValueError(f"FRAMESCOPE_JOB_EXECUTOR must be auto, rq or thread, not {choice!r}")
    redis_url = app.config.get("REDIS_URL")
    if choice == "rq" or (choice == "auto" and redis_url):
        if not redis_url:
            raise ValueError("FRAMESCOPE_JOB_EXECUTOR=rq needs REDIS_URL")
        return RQExecutor(redis_url, app.config["JOB_QUEUE"], int(app.config["JOB_TIMEOUT_SECONDS"]))
    return ThreadExecutor(app)


def submit_job(job_id: int) -> None:
    """Hand a committed job to the executor (after the commit: a worker must be able to read it)."""
    current_app.extensions["framescope"]["jobs"].submit(job_id)


def submit_helpers(job_id: int, n_helpers: int) -> None:
    """Ask for ``n_helpers`` more runners on a job split into parts (none without a queue)."""
    current_app.extensions["framescope"]["jobs"].submit_helpers(job_id, n_helpers)


def resubmit_stale_jobs() -> list[int]:
    """Put jobs nobody works on (no heartbeat for ``JOB_STALE_SECONDS``) back on the queue."""
    state = current_app.extensions["framescope"]
    stale_before = utcnow() - timedelta(seconds=float(current_app.config["JOB_STALE_SECONDS"]))
    with state["write_sessionmaker"]() as session:
        ids = requeue_stale_jobs(session, stale_before=stale_before)
        session.commit()
    for job_id in ids:
        log.warning("resuming a stale job", extra={"job_id": job_id})
        state["jobs"].submit(job_id)
    return ids


def init_app(app: Flask) -> None:
    from service.jobs.worker import jobs_cli

    app.extensions["framescope"]["jobs"] = make_executor(app)
    app.cli.add_command(jobs_cli)
