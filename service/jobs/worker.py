"""``flask jobs worker`` (an RQ worker with the app loaded once) and ``flask jobs resume``."""

from __future__ import annotations

import logging
import os
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from service.jobs import RQExecutor, resubmit_stale_jobs

jobs_cli = AppGroup("jobs", help="Background jobs (issue 13).")
log = logging.getLogger("framescope.jobs")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (tests, one-off runs).")
def worker(burst: bool) -> None:
    """Run jobs from the RQ queue, in this process (the model is loaded once, not per job).

    Stale jobs (a worker died mid-job) are put back on the queue at start and every
    JOB_STALE_SECONDS; they resume after their last committed chunk.
    """
    from rq import SimpleWorker

    executor = current_app.extensions["framescope"]["jobs"]
    if not isinstance(executor, RQExecutor):
        raise click.UsageError(
            "No queue configured: set REDIS_URL (jobs otherwise run inside the web process)."
        )
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    lower_priority(int(app.config["JOB_WORKER_NICE"]))
    resubmit_stale_jobs()
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(float(app.config["JOB_STALE_SECONDS"])):
            with app.app_context():
                try:
                    resubmit_stale_jobs()
                except Exception:  # the database may be away for a moment; try again next round
                    log.exception("stale-job check failed")

    threading.Thread(target=watch, name="framescope-stale-jobs", daemon=True).start()
    try:
        rq_worker = SimpleWorker([executor.queue], connection=executor.queue.connection)
        rq_worker.work(burst=burst, logging_level=app.config["LOG_LEVEL"])
    finally:
        stop.set()


def lower_priority(increment: int) -> int:
    """Add ``increment`` to this process's niceness; returns the new one.

    Why: a job is batch work and a request is someone waiting. On a host that also runs web
    workers, the kernel then gives the job the CPU the requests leave, so a relabelling job does
    not push the API's tail latency up (and on a host of its own it changes nothing).
    """
    if increment <= 0:
        return os.nice(0)
    niceness = os.nice(increment)
    log.info("jobs worker niceness %d", niceness)
    return niceness


@jobs_cli.command("resume")
def resume() -> None:
    """Put stale jobs back on the queue now (a worker does this itself at start)."""
    ids = resubmit_stale_jobs()
    click.echo(f"resumed {len(ids)} job(s): {', '.join(map(str, ids)) or '-'}")
