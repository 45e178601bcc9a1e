"""Bulk work (issue 13): classify-job throughput and streamed-export memory, PostgreSQL.

1. Stores ``--real`` real articles (``../shared/datasets``, read in place; labelled on ingest).
2. A ``classify`` job with ``force`` over all of them, run by the job runner in this process
   (exactly what ``flask jobs worker`` runs): articles per second, chunks of 1,000 committed.
2b. With ``--workers 1,2`` (and Redis at ``BENCH_REDIS_URL``): the store grown to ``--job-size``
   articles, then one ``force`` classify job per worker count, run by that many ``flask jobs worker``
   processes at once (the job split into parts): seconds from claim to finish, articles/s, the ratio
   to one worker, each worker's peak RSS, and the load average around each run.
3. Grows the store to each size in ``--sizes`` by copying rows in SQL (stored_fill.replicate) and
   streams ``GET /v1/articles/export`` (CSV and NDJSON) from one gunicorn worker: seconds, MiB sent
   and the worker's peak RSS during the export (VmHWM reset just before), to show memory stays flat.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_classify_texts import dataset_texts  # noqa: E402
from common import (  # noqa: E402
    REPO,
    children,
    cpu_seconds,
    drop_database,
    exit_on_sigterm,
    load_average,
    migrate,
    recreate_database,
    reset_peak_rss,
    rss_mib,
    write_result,
)
from server import free_port  # noqa: E402
from stored_fill import replicate as copy_rows  # noqa: E402

DB_NAME = "bench_bulk"
EVENT = "scale"


def replicate(session: Any, n_target: int) -> float:
    """Grow the store to ``n_target`` articles by copying rows in SQL (``stored_fill``); seconds."""
    started = time.perf_counter()
    copy_rows(session, n_target)
    return time.perf_counter() - started


def seed(app: Any, n: int) -> float:
    texts = [t for t in dataset_texts() if len(t[1]) > 500][:n]
    items = [
        {
            "outlet": f"outlet-{i % 12}",
            "event": EVENT,
            "title": title or f"Report {i}",
            "text": f"{text} [{i}]",
        }
        for i, (title, text, _) in enumerate(texts)
    ]
    client = app.test_client()
    started = time.perf_counter()
    for start in range(0, len(items), 1000):
        response = client.post("/v1/articles/batch?create_missing=true", json=items[start : start + 1000])
        assert response.status_code in (200, 201), response.get_json()
    return time.perf_counter() - started


def classify_job(app: Any) -> dict[str, Any]:
    from service.jobs.runner import run_job
    from service.storage import jobs as dao

    with app.app_context():
        factory = app.extensions["framescope"]["write_sessionmaker"]
        with factory() as session:
            job_id = dao.create_job(session, "classify", {"filter": {}, "force": True}).id
            session.commit()
        started = time.perf_counter()
        assert run_job(job_id) == "succeeded"
        seconds = time.perf_counter() - started
        with factory() as session:
            job = dao.get_job(session, job_id)
            return {
                "articles": job.done,
                "seconds": round(seconds, 2),
                "articles_per_s": round(job.done / seconds, 1),
            }


def job_with_workers(app: Any, database_url: str, redis_url: str, n_workers: int) -> dict[str, Any]:
    """One ``force`` classify job over every stored article run by ``n_workers`` RQ worker processes."""
    import uuid

    from redis import Redis
    from rq import Queue, Worker

    from service.jobs import RQExecutor
    from service.storage import jobs as dao

    queue = f"bench-jobs-{uuid.uuid4().hex[:8]}"
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        FRAMESCOPE_JOB_EXECUTOR="rq",
        FRAMESCOPE_JOB_QUEUE=queue,
        FRAMESCOPE_LOG_LEVEL="WARNING",
    )
    flask = [sys.executable, "-m", "flask", "--app", "service", "jobs", "worker"]
    workers = [
        subprocess.Popen(flask, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(n_workers)
    ]
    redis = Redis.from_url(redis_url)
    factory = app.extensions["framescope"]["write_sessionmaker"]
    try:
        rq_queue = Queue(queue, connection=redis)
        deadline = time.monotonic() + 300
        while len(Worker.all(queue=rq_queue)) < n_workers:  # each has loaded the model
            assert time.monotonic() < deadline, "workers did not start"
            time.sleep(0.5)
        load_before = load_average()
        cores = cores_available(n_workers)
        cpu_before = [cpu_seconds(w.pid) for w in workers]
        with app.app_context():
            with factory() as session:
                job_id = dao.create_job(session, "classify", {"filter": {}, "force": True}).id
                session.commit()
            RQExecutor(redis_url, queue, 24 * 3600).submit(job_id)  # to these workers' queue
            while True:
                time.sleep(1)
                with factory() as session:
                    job = dao.get_job(session, job_id)
                    if job.status not in ("queued", "running"):
                        break
        assert job.status == "succeeded", (job.status, job.errors)
        seconds = (job.finished_at - job.started_at).total_seconds()
        cpu = [cpu_seconds(w.pid) - before for w, before in zip(workers, cpu_before, strict=True)]
        return {
            "workers": n_workers,
            "articles": job.done,
            "seconds": round(seconds, 1),
            "articles_per_s": round(job.done / seconds, 1),
            "worker_peak_rss_mib": [rss_mib(w.pid)["hwm"] for w in workers],
            "worker_cpu_seconds": [round(c, 1) for c in cpu],
            "cores_available": cores,
            "load_before": load_before,
            "load_after": load_average(),
        }
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        Queue(queue, connection=redis).delete(delete_jobs=True)


def cores_available(n: int, seconds: float = 3.0) -> float:
    """CPU cores ``n`` busy processes get right now (a shared machine may give 2 processes < 2 cores)."""
    code = f"import time\nt=time.perf_counter()\nwhile time.perf_counter()-t<{seconds}: pass\n"
    code += "print(time.process_time())"
    spinners = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE) for _ in range(n)]
    used = sum(float(p.communicate()[0]) for p in spinners)
    return round(used / seconds, 2)


def export_through_gunicorn(database_url: str, formats: tuple[str, ...]) -> dict[str, Any]:
    import requests

    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        FRAMESCOPE_LOG_LEVEL="WARNING",
    )
    env.pop("REDIS_URL", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "--config", "gunicorn.conf.py"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    out: dict[str, Any] = {}
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(url + "/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        (worker,) = children(server.pid)
        for format_ in formats:
            idle = rss_mib(worker)["rss"]
            load_before = load_average()
            reset_peak_rss(worker)
            started = time.perf_counter()
            n_bytes = n_lines = 0
            with requests.get(f"{url}/v1/articles/export?format={format_}", stream=True, timeout=600) as r:
                for block in r.iter_content(1 << 16):
                    n_bytes += len(block)
                    n_lines += block.count(b"\n")
            out[format_] = {
                "seconds": round(time.perf_counter() - started, 2),
                "mib": round(n_bytes / 2**20, 1),
                "lines": n_lines,
                "worker_rss_before_mib": idle,
                "worker_peak_rss_mib": rss_mib(worker)["hwm"],
                "load_before": load_before,
                "load_after": load_average(),
            }
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return out


def main() -> None:
    exit_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--real", type=int, default=5000)
    parser.add_argument("--sizes", default="10000,100000", help="store sizes to export at (e.g. 1000000)")
    parser.add_argument("--workers", default="", help="e.g. 1,2: classify jobs by N worker processes")
    parser.add_argument("--job-size", type=int, default=100_000, help="articles for --workers jobs")
    parser.add_argument("--db-name", default=DB_NAME)
    parser.add_argument("--skip-exports", action="store_true")
    parser.add_argument(
        "--result-name", help="results file (bench/results/<name>.json; default bulk, or bulk_workers)"
    )
    args = parser.parse_args()
    if args.workers and not (os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL")):
        print("skipped: --workers needs Redis (set BENCH_REDIS_URL or REDIS_URL)")
        return

    from sqlalchemy import text

    from service import create_app

    database_url = recreate_database(args.db_name)
    try:
        migrate(database_url)
        app = create_app({"DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", "JOB_EXECUTOR": "thread"})
        result: dict[str, Any] = {"load_before": load_average()}
        result["seed_seconds"] = round(seed(app, args.real), 1)
        result["classify_job"] = classify_job(app)
        result["exports"] = {}
        factory = app.extensions["framescope"]["write_sessionmaker"]
        if args.workers:
            redis_url = os.environ.get("BENCH_REDIS_URL") or os.environ["REDIS_URL"]
            with factory() as session:
                replicate(session, args.job_size)
                session.commit()
            runs = [job_with_workers(app, database_url, redis_url, int(n)) for n in args.workers.split(",")]
            for run in runs:
                run["speedup"] = round(runs[0]["seconds"] / run["seconds"], 2)
                print(run, flush=True)
            result["classify_job_workers"] = runs
        for size in [] if args.skip_exports else [int(s) for s in args.sizes.split(",")]:
            with factory() as session:
                result.setdefault("fill_seconds", {})[size] = round(replicate(session, size), 1)
                n = session.execute(text("SELECT count(*) FROM articles")).scalar_one()
            result["exports"][n] = export_through_gunicorn(database_url, ("csv", "ndjson"))
            print(n, result["exports"][n], flush=True)
        result["load_after"] = load_average()
        app.extensions["framescope"]["engine"].dispose()
        print(result)
        write_result(args.result_name or ("bulk_workers" if args.skip_exports else "bulk"), result)
    finally:
        drop_database(args.db_name)


if __name__ == "__main__":
    main()
