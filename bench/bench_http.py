"""HTTP benchmarks against the real service: gunicorn (2 workers, gunicorn.conf.py), PostgreSQL.

usage: python bench/bench_http.py [--seconds 20] [--connections 8] [--batch-seconds 30]

Starts gunicorn on a free 127.0.0.1 port over a fresh database (``bench_http``, dropped and
recreated per run) and loads it from this second process: wrk when installed (``apt-get install
wrk``), otherwise a small Python load generator. Every phase is bounded in time:

1. ``POST /v1/classify`` with one ~600-word article (wrk, ``--connections`` clients);
2. ``POST /v1/articles/batch`` with 1,000 fresh articles per request (unique texts, so deduplication
   never short-circuits; each is classified on ingest and stored), 2 clients, Python (wrk cannot
   vary a 4 MB body cheaply);
3. ``GET /v1/events/{key}/comparison`` over the articles the batches stored (skipped with a note if
   the OpenAPI document has no such path).

Worker RSS is read from /proc after start-up (model loaded) and after the load. Results: stdout and
``bench/results/http.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
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
BATCH_EVENT = "bench-batch"
N_OUTLETS = 8


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


def phase_classify(
    srv: Server, seconds: float, connections: int, use_wrk: bool, close: bool = False
) -> dict[str, Any]:
    title, text, _ = make_articles(1)[0]
    body = json.dumps({"title": title, "text": text}).encode()
    status, answer = srv.request("POST", "/v1/classify", body)
    if status != 200:
        raise RuntimeError(f"/v1/classify answered {status}: {answer[:300]!r}")
    # warm every worker and thread before timing
    run_load(
        srv.base + "/v1/classify",
        method="POST",
        body=body,
        seconds=3,
        connections=connections,
        use_wrk=use_wrk,
    )
    load_before = load_average()
    cpu_before = srv.worker_cpu()
    res = run_load(
        srv.base + "/v1/classify",
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


def phase_batch(srv: Server, seconds: float, max_requests: int, n_items: int) -> dict[str, Any]:
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=20, help="classify phase length")
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--batch-seconds", type=float, default=30)
    ap.add_argument("--batch-max-requests", type=int, default=24)
    ap.add_argument("--batch-items", type=int, default=1000)
    ap.add_argument("--comparison-seconds", type=float, default=10)
    ap.add_argument("--python-load", action="store_true", help="use the Python load generator, not wrk")
    ap.add_argument(
        "--server-env",
        nargs="*",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for gunicorn (e.g. MALLOC_ARENA_MAX=2)",
    )
    args = ap.parse_args()
    exit_on_sigterm()
    use_wrk = not args.python_load

    url = recreate_database(DB_NAME)
    migrate(url)
    res: dict[str, Any] = {"workers": 2, "load_avg_start": load_average()}
    try:
        extra_env = dict(item.split("=", 1) for item in args.server_env)
        res["server_env"] = extra_env
        with Server(url, env=extra_env) as srv:
            res["ready_seconds"] = round(srv.ready_seconds, 1)
            res["memory_after_start"] = srv.worker_memory()
            for name, fn in (
                ("classify", lambda: phase_classify(srv, args.seconds, args.connections, use_wrk)),
                (
                    "classify_close",
                    lambda: phase_classify(srv, args.seconds, args.connections, use_wrk, close=True),
                ),
                (
                    "batch",
                    lambda: phase_batch(srv, args.batch_seconds, args.batch_max_requests, args.batch_items),
                ),
                ("comparison", lambda: phase_comparison(srv, args.comparison_seconds, use_wrk)),
            ):
                try:
                    res[name] = fn()
                except Exception as exc:  # one failing phase must not hide the others
                    res[name] = {"error": f"{type(exc).__name__}: {exc}"}
                print(f"{name}: {json.dumps(res[name])}", flush=True)
                res[f"memory_after_{name}"] = srv.worker_memory()
    finally:
        drop_database(DB_NAME)
    res["load_avg_end"] = load_average()
    print(f"worker memory after start: {res['memory_after_start']}")
    write_result("http", res)


if __name__ == "__main__":
    main()
