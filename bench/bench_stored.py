"""Stored comparisons at 10,000 / 100,000 / 1,000,000 articles on PostgreSQL: counted in SQL, through HTTP.

usage: python bench/bench_stored.py [--sizes 10000 100000 1000000] [--old-max 100000] [--no-http] [--reuse]

Data (a fresh database, ``bench_stored`` unless ``--db-name``, dropped after the run): the synthetic
articles of ``bench_comparison.make_records`` (~600 words, 20 outlets of Zipf-like sizes) over five
events, outlets typed ``tabloid``/``broadsheet``/``public`` (one without a type, as in real
collections); every 12th article reprints (trimmed) an earlier story of its event from another
outlet. Up to ``--real-fill-max`` (10,000) they go through ``ingest_articles``, ``sign_articles``
(MinHash signature, ingest-time cluster) and ``store_classifications`` with synthetic labels. Larger
sizes copy those rows inside PostgreSQL (``INSERT ... SELECT``: articles with a new content hash,
their classification, frame rows and signature, the cluster id mapped to the copy of the cluster's
first article so each copy round repeats the syndication structure; band keys are not copied, no
comparison reads them).

At each size, side by side in this process: ``new`` = ``stored_counts`` + ``compare_counts`` (what
the endpoints run) and, up to ``--old-max``, ``old`` = ``stored_records`` + ``compare_outlets`` (one
record and text head per article, the path before); seconds and peak RSS growth (VmHWM reset before
each). Then through gunicorn (2 workers, production config, port ``--port``): ``GET
/v1/comparisons?events=all`` (all articles, stratified by event), the same with ``group_by=type``,
and ``GET /v1/events/scale-0/comparison`` (one event), with the workers' peak RSS. Load average is
recorded before and after each level. Results: stdout and ``bench/results/stored.json``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_comparison import make_records  # noqa: E402
from common import (  # noqa: E402
    Stopwatch,
    database_url,
    drop_database,
    exit_on_sigterm,
    load_average,
    migrate,
    recreate_database,
    reset_peak_rss,
    rss_mib,
    write_result,
)
from sqlalchemy import text  # noqa: E402
from stored_fill import fill, replicate  # noqa: E402

N_EVENTS = 5
HTTP_PATHS = {
    "all_events": "/v1/comparisons?events=all",
    "all_events_by_type": "/v1/comparisons?events=all&group_by=type",
    "one_event": "/v1/events/scale-0/comparison",
}


def timed(fn: Any) -> tuple[float, float, Any]:
    """(seconds, peak RSS growth in MiB, value) of one call in this process."""
    base = rss_mib()["rss"]
    reset_peak_rss()
    t0 = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - t0
    return seconds, rss_mib()["hwm"] - base, value


def in_process(app: Any, n: int, old_max: int) -> dict[str, Any]:
    """The new (counted) and old (per-article) paths over every article, side by side."""
    from comparison import compare_counts, compare_outlets
    from service.analysis import stored_records
    from service.schemas.comparisons import SYNDICATION_PAGE
    from service.stored_comparison import stored_counts

    resamples = int(app.config["COMPARISON_RESAMPLES"])
    out: dict[str, Any] = {}
    with app.test_request_context("/"):
        session = app.extensions["framescope"]["sessionmaker"]()

        def new() -> Any:
            stored = stored_counts(session, event=[], syndication_limit=SYNDICATION_PAGE)  # as served
            return stored, compare_counts(
                stored.counts,
                stored.frame_keys,
                term_counts=stored.term_counts,
                syndication=stored.syndication,
                stratify_by_event=True,
                n_resamples=resamples,
            )

        seconds, growth, (stored, result) = timed(new)
        out["new_seconds"], out["new_rss_growth_mib"] = round(seconds, 3), round(growth, 1)
        out["aggregated_rows"] = len(stored.counts)
        out["n_effective"] = sum(result.n_effective)
        out["n_clusters"] = result.syndication.n_clusters if result.syndication else 0
        del stored, result
        if n <= old_max:

            def old() -> Any:
                selection = stored_records(session, event=[])
                return compare_outlets(
                    selection.records,
                    selection.frame_keys,
                    syndication_source=selection.syndication_source,
                    stratify_by_event=True,
                    n_resamples=resamples,
                )

            seconds, growth, result = timed(old)
            out["old_seconds"], out["old_rss_growth_mib"] = round(seconds, 3), round(growth, 1)
            out["old_over_new"] = round(out["old_seconds"] / max(out["new_seconds"], 1e-9), 1)
            del result
        session.close()
    return out


def over_http(server: Any, repeat: int) -> dict[str, Any]:
    for pid in server.worker_pids():
        reset_peak_rss(pid)
    out: dict[str, Any] = {}
    for name, path in HTTP_PATHS.items():
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            status, _ = server.request("GET", path)
            times.append(time.perf_counter() - t0)
            if status != 200:
                raise RuntimeError(f"GET {path} answered {status}")
        out[f"{name}_seconds"] = round(min(times), 3)
    out["worker_peak_rss_mib"] = max(m["hwm"] for m in server.worker_memory())
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    from service import create_app
    from service.classifier_registry import get_model

    url = database_url(args.db_name) if args.reuse else recreate_database(args.db_name)
    migrate(url)  # with --reuse: upgrades a kept database (revision 0013 back-fills a filled one)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        app = create_app({"DATABASE_URL": url, "LOG_LEVEL": "WARNING", "RATELIMIT_ENABLED": False})
    with app.app_context():
        model = get_model()
    records = make_records(min(max(args.sizes), args.real_fill_max))
    out: dict[str, Any] = {"sizes": args.sizes, "events": N_EVENTS, "levels": []}
    server = None
    if not args.no_http:
        from server import Server

        server = Server(url, port=args.port).__enter__()
        out["http_server"] = {"workers": 2, "port": args.port}
    try:
        for n in sorted(args.sizes):
            level: dict[str, Any] = {"n": n, "load_avg_before": load_average()}
            session = app.extensions["framescope"]["sessionmaker"]()
            n_stored = session.execute(text("SELECT count(*) FROM articles")).scalar_one()
            if args.reuse and n_stored > n:
                raise SystemExit(f"--reuse: the database has {n_stored} articles, more than {n}")
            with Stopwatch() as sw:
                if n_stored == n:
                    level["fill"] = "reused"
                elif n <= args.real_fill_max:
                    fill(session, records[n_stored:n], n_stored, records, model, N_EVENTS)
                    level["fill"] = "ingest + sign + store (DAO)"
                else:
                    # Replication copies stored articles: store the real ones first (``--sizes
                    # 100000`` alone on an empty database used to copy nothing, forever).
                    if n_stored < args.real_fill_max:
                        seed = records[n_stored : args.real_fill_max]
                        fill(session, seed, n_stored, records, model, N_EVENTS)
                    replicate(session, n)
                    level["fill"] = "copied in SQL (signatures and clusters included)"
            session.close()
            level["fill_seconds"] = round(sw.seconds, 1)
            level.update(in_process(app, n, args.old_max))
            if server is not None:
                level.update(over_http(server, args.repeat))
            level["load_avg_after"] = load_average()
            out["levels"].append(level)
            print(" ".join(f"{k}={v}" for k, v in level.items()), flush=True)
    finally:
        if server is not None:
            server.__exit__(None, None, None)
        app.extensions["framescope"]["engine"].dispose()
        if not (args.keep or args.reuse):
            drop_database(args.db_name)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--old-max", type=int, default=100_000, help="largest size the old path runs at")
    ap.add_argument("--repeat", type=int, default=2, help="HTTP requests per path (best counts)")
    ap.add_argument("--no-http", action="store_true", help="skip the gunicorn part")
    ap.add_argument("--real-fill-max", type=int, default=10_000)
    ap.add_argument("--db-name", default="bench_stored")
    ap.add_argument("--port", type=int, default=None, help="gunicorn port (default: a free one)")
    ap.add_argument("--keep", action="store_true", help="keep the database after the run")
    ap.add_argument(
        "--reuse",
        action="store_true",
        help="use the kept database as it is (migrated to head, filled only up to each size; kept)",
    )
    args = ap.parse_args()
    exit_on_sigterm()
    os.environ.setdefault("FRAMESCOPE_LOG_LEVEL", "WARNING")
    res = run(args)
    res["load_avg_end"] = load_average()
    write_result("stored", res)


if __name__ == "__main__":
    main()
