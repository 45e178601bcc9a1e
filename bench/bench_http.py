"""HTTP benchmarks against the real service: gunicorn (2 workers, gunicorn.conf.py), PostgreSQL.

usage: python bench/bench_http.py [--seconds 20] [--connections 8] [--batch-seconds 30]

Starts gunicorn on a free 127.0.0.1 port over a fresh database (``bench_http``, dropped and
recreated per run) and loads it from this second process: wrk when installed (``apt-get install
wrk``), otherwise a small Python load generator. Every phase is bounded in time:

1. ``POST /v1/classify`` with one ~600-word article (wrk, ``--connections`` clients), in rounds
   alternating with the same article sent to the **bare** Flask endpoint of ``bench/bare_app.py``
   (TF-IDF + logistic regression only, same gunicorn config and worker count, started alongside), so
   the ratio service / bare is measured side by side at the same machine load;
2. the same, with a new connection per request (``Connection: close``);
3. ``POST /v1/articles/batch`` with 1,000 fresh articles per request (unique texts, so deduplication
   never short-circuits; each is classified on ingest and stored), 2 clients, Python (wrk cannot
   vary a 4 MB body cheaply);
4. ``GET /v1/events/{key}/comparison`` over the articles the batches stored (skipped with a note if
   the OpenAPI document has no such path);
5. ``POST /v1/classify`` again while a ``classify`` job (``force``) relabels every stored article:
   on an RQ worker process when ``BENCH_REDIS_URL`` is set (the Procfile's topology), else on the
   in-process thread executor of one web worker.

Worker RSS is read from /proc after start-up (model loaded) and after the load. Results: stdout and
``bench/results/http.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_classify import make_articles  # noqa: E402
from common import (  # noqa: E402
    drop_database,
    exit_on_sigterm,
    load_average,
    migrate,
    recreate_database,
    write_result,
)
from load import run_load, run_python_load  # noqa: E402
from server import Server  # noqa: E402

DB_NAME = "bench_http"
CLASSIFY = "/v1/classify"
BARE_APP = "bare_app:create_bare_asgi_app()"
BATCH_EVENT = "bench-batch"
N_OUTLETS = 8
PHASES = ("side_by_side", "classify_close", "batch", "comparison", "during_job")


def batch_body(i: int, base: list[tuple[str, str, None]]) -> bytes:
    """Request ``i``'s 1,000 articles: the base texts made unique by a per-request dateline."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    items = [
        {
            "outlet": f"outlet-{j % N_OUTLETS}",
            "event": BATCH_EVENT,
            "title": title,
            "text": f"Dispatch {i}-{j}. {text}",
            "published_at": (start + timedelta(minutes=i * len(base) + j)).isoformat(),
            "language": "en",
        }
        for j, (title, text, _) in enumerate(base)
    ]
    return json.dumps(items).encode()


def article_body() -> bytes:
    title, text, _ = make_articles(1)[0]
    return json.dumps({"title": title, "text": text}).encode()


def phase_classify(
    srv: Server, seconds: float, connections: int, use_wrk: bool, close: bool = False, path: str = CLASSIFY
) -> dict[str, Any]:
    body = article_body()
    text = json.loads(body)["text"]
    status, answer = srv.request("POST", path, body)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}: {answer[:300]!r}")
    # warm every worker and thread before timing
    run_load(
        srv.base + path,
        method="POST",
        body=body,
        seconds=3,
        connections=connections,
        use_wrk=use_wrk,
    )
    load_before = load_average()
    cpu_before = srv.worker_cpu()
    res = run_load(
        srv.base + path,
        method="POST",
        body=body,
        seconds=seconds,
        connections=connections,
        use_wrk=use_wrk,
        close=close,
    )
    cpu = [round(t - cpu_before.get(pid, 0.0), 1) for pid, t in srv.worker_cpu().items()]
    # keep-alive connections stay with the worker that accepted them: an uneven split caps throughput
    res.update(
        words=len(text.split()),
        body_kib=round(len(body) / 1024, 1),
        load_avg_before=load_before,
        load_avg_after=load_average(),
        worker_cpu_seconds=cpu,
        cpu_ms_per_request=round(sum(cpu) / max(res["requests"], 1) * 1000, 2),
    )
    return res


def phase_batch(
    srv: Server, seconds: float, max_requests: int, n_items: int, texts: str = "corpus"
) -> dict[str, Any]:
    """1,000-article batches: corpus prose (never needs the language detector) or real articles."""
    if texts == "real":  # headlines and short bodies among them reach the language detector
        from bench_classify_texts import dataset_texts

        base = dataset_texts()[:n_items]
    else:
        base = make_articles(n_items)
    status, answer = srv.request("POST", "/v1/articles/batch?create_missing=true", batch_body(10**6, base))
    if status not in (200, 201):
        raise RuntimeError(f"/v1/articles/batch answered {status}: {answer[:300]!r}")
    load_before = load_average()
    res = run_python_load(
        srv.base + "/v1/articles/batch?create_missing=true",
        lambda i: batch_body(i, base),
        seconds=seconds,
        connections=2,
        max_requests=max_requests,
    )
    res.update(
        n_items=n_items,
        texts=texts,
        articles_per_s=round(res["req_per_s"] * n_items, 1),
        load_avg_before=load_before,
        load_avg_after=load_average(),
    )
    return res


def phase_comparison(srv: Server, seconds: float, use_wrk: bool) -> dict[str, Any]:
    spec = srv.get_json("/v1/openapi.json")
    template = next(
        (p for p in spec.get("paths", {}) if p.startswith("/v1/events/") and p.endswith("/comparison")), None
    )
    if template is None:
        return {"skipped": "no GET /v1/events/{key}/comparison in the OpenAPI document yet"}
    path = "/v1/events/" + BATCH_EVENT + "/comparison"
    status, answer = srv.request("GET", path)
    if status != 200:
        return {"skipped": f"{path} answered {status}: {answer[:300]!r}"}
    n_articles = sum(row.get("n_articles", 0) for row in json.loads(answer)["tables"].get("outlets", []))
    load_before = load_average()
    res = run_load(srv.base + path, seconds=seconds, connections=2, use_wrk=use_wrk)
    res.update(
        n_articles=n_articles,
        response_kib=round(len(answer) / 1024, 1),
        load_avg_before=load_before,
        load_avg_after=load_average(),
    )
    return res


def phase_side_by_side(
    srv: Server, bare: Server, seconds: float, connections: int, use_wrk: bool, rounds: int = 2
) -> dict[str, Any]:
    """Alternate service and bare rounds (``seconds`` each in all); ratio of their summed requests.

    The worst round's p99 is the service's figure: percentiles of separate runs cannot be merged.
    """
    out: dict[str, Any] = {"service_rounds": [], "bare_rounds": []}
    for _ in range(rounds):
        out["service_rounds"].append(phase_classify(srv, seconds / rounds, connections, use_wrk))
        out["bare_rounds"].append(
            phase_classify(bare, seconds / rounds, connections, use_wrk, path="/classify")
        )
    for who in ("service", "bare"):
        runs = out[f"{who}_rounds"]
        total_seconds = sum(r["seconds"] for r in runs)
        out[who] = {
            "tool": runs[0]["tool"],
            "requests": sum(r["requests"] for r in runs),
            "req_per_s": round(sum(r["requests"] for r in runs) / total_seconds, 1),
            "p50_ms": max(r["p50_ms"] for r in runs),
            "p95_ms": max(r["p95_ms"] for r in runs),
            "p99_ms": max(r["p99_ms"] for r in runs),
            "non_2xx": sum(r["non_2xx"] for r in runs),
            "cpu_ms_per_request": round(
                sum(sum(r["worker_cpu_seconds"]) for r in runs)
                / max(sum(r["requests"] for r in runs), 1)
                * 1000,
                2,
            ),
            "load_avg_before": runs[0]["load_avg_before"],
            "load_avg_after": runs[-1]["load_avg_after"],
        }
    out["ratio"] = round(out["service"]["req_per_s"] / out["bare"]["req_per_s"], 3)
    return out


def job_state(srv: Server, job_id: int) -> dict[str, Any]:
    job = srv.get_json(f"/v1/jobs/{job_id}")
    return {key: job.get(key) for key in ("status", "done", "total", "rate", "n_errors")}


def phase_during_job(srv: Server, seconds: float, connections: int, use_wrk: bool) -> dict[str, Any]:
    """Start a ``classify`` job (``force``) over every stored article, then load ``/v1/classify``."""
    spec = json.dumps({"kind": "classify", "filter": {}, "force": True}).encode()
    status, answer = srv.request("POST", "/v1/jobs", spec)
    if status != 202:
        raise RuntimeError(f"POST /v1/jobs answered {status}: {answer[:300]!r}")
    job_id = json.loads(answer)["id"]
    deadline = time.monotonic() + 60
    while (state := job_state(srv, job_id))["status"] == "queued" or not state["done"]:
        if state["status"] in ("failed", "cancelled") or time.monotonic() > deadline:
            raise RuntimeError(f"job {job_id} did not start: {state}")
        time.sleep(0.5)
    before = dict(state)
    res = phase_classify(srv, seconds, connections, use_wrk)
    after = job_state(srv, job_id)
    res.update(
        job_executor="rq worker process" if srv.jobs_worker else "thread in a web worker",
        job_before=before,
        job_after=after,
        job_articles_during_load=(after["done"] or 0) - (before["done"] or 0),
    )
    if after["status"] in ("queued", "running"):
        srv.request("POST", f"/v1/jobs/{job_id}/cancel")
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=20, help="classify phase length")
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--batch-seconds", type=float, default=30)
    ap.add_argument("--batch-max-requests", type=int, default=24)
    ap.add_argument("--batch-items", type=int, default=1000)
    ap.add_argument("--batch-texts", choices=["corpus", "real"], default="corpus")
    ap.add_argument("--comparison-seconds", type=float, default=10)
    ap.add_argument("--job-seconds", type=float, default=15, help="classify load while a job runs")
    ap.add_argument("--python-load", action="store_true", help="use the Python load generator, not wrk")
    ap.add_argument(
        "--server-env",
        nargs="*",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for gunicorn (e.g. MALLOC_ARENA_MAX=2)",
    )
    ap.add_argument(
        "--only",
        nargs="+",
        choices=PHASES,
        default=list(PHASES),
        help="run these phases only (e.g. side_by_side to measure the ratio to the bare endpoint)",
    )
    args = ap.parse_args()
    exit_on_sigterm()
    use_wrk = not args.python_load

    url = recreate_database(DB_NAME)
    migrate(url)
    res: dict[str, Any] = {"workers": 2, "load_avg_start": load_average()}
    redis_url = os.environ.get("BENCH_REDIS_URL")
    base_port = int(os.environ["BENCH_PORT"]) if os.environ.get("BENCH_PORT") else None
    try:
        extra_env = dict(item.split("=", 1) for item in args.server_env)
        res["server_env"] = extra_env
        service_env = {**extra_env, **({"REDIS_URL": redis_url} if redis_url else {})}
        with (
            Server(url, env=service_env, jobs_worker=bool(redis_url), port=base_port) as srv,
            Server(url, env=extra_env, app=BARE_APP, port=base_port and base_port + 1) as bare,
        ):
            res["ready_seconds"] = round(srv.ready_seconds, 1)
            res["memory_after_start"] = srv.worker_memory()
            res["bare_memory_after_start"] = bare.worker_memory()
            for name, fn in (
                (
                    "side_by_side",
                    lambda: phase_side_by_side(srv, bare, args.seconds, args.connections, use_wrk),
                ),
                (
                    "classify_close",
                    lambda: phase_classify(srv, args.seconds, args.connections, use_wrk, close=True),
                ),
                (
                    "batch",
                    lambda: phase_batch(
                        srv, args.batch_seconds, args.batch_max_requests, args.batch_items, args.batch_texts
                    ),
                ),
                ("comparison", lambda: phase_comparison(srv, args.comparison_seconds, use_wrk)),
                ("during_job", lambda: phase_during_job(srv, args.job_seconds, args.connections, use_wrk)),
            ):
                if name not in args.only:
                    continue
                try:
                    res[name] = fn()
                except Exception as exc:  # one failing phase must not hide the others
                    res[name] = {"error": f"{type(exc).__name__}: {exc}"}
                print(f"{name}: {json.dumps(res[name])}", flush=True)
                res[f"memory_after_{name}"] = srv.worker_memory()
            if "service" in res.get("side_by_side", {}):  # the report's keep-alive row
                res["classify"] = {
                    **res["side_by_side"]["service_rounds"][0],
                    **res["side_by_side"]["service"],
                }
                res["classify"]["worker_cpu_seconds"] = [
                    round(sum(cpu), 1)
                    for cpu in zip(
                        *(r["worker_cpu_seconds"] for r in res["side_by_side"]["service_rounds"]), strict=True
                    )
                ]
    finally:
        drop_database(DB_NAME)
    res["load_avg_end"] = load_average()
    print(f"worker memory after start: {res['memory_after_start']}")
    write_result("http" if len(args.only) == len(PHASES) else "http_" + "_".join(args.only), res)


if __name__ == "__main__":
    main()
