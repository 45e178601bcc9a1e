"""Comparison over stored articles at 1,000 / 10,000 / 100,000: through storage, the app and HTTP.

usage: python bench/bench_stored.py [--sizes 1000 10000 100000] [--no-http]

One event (``scale``) grows to each size in a fresh PostgreSQL database (``bench_stored``, dropped
and recreated per run). Articles are the synthetic ones of ``bench_comparison.make_records`` (~600
words, 20 outlets of Zipf-like sizes), stored with ``ingest_articles`` and given synthetic
classification results (the served model's version and codebook frames; no evidence sentences) with
``store_classifications``, so filling does not wait for the classifier. Beyond ``--real-fill-max``
(10,000) the event grows by copying its stored rows inside PostgreSQL (articles with a new content
hash, their classifications and frame rows; every column of the models' tables is copied), because
storing 90,000 more through the DAO takes ~5 minutes on this machine. At each size:

* ``storage`` / ``compare``: ``service.analysis.stored_records`` (coverage check + SQL read of the
  first 2,000 characters) and ``compare_outlets`` in this process, best of ``--repeat``, with the
  process's peak RSS growth over the two (kernel VmHWM, reset before);
* ``app``: ``GET /v1/events/scale/comparison`` through Flask's test client (the whole view, JSON
  included, no network);
* ``http``: the same GET against gunicorn (2 workers, production config) and the worker's peak RSS.

Results: stdout and ``bench/results/stored.json``; growth exponents are log-log slopes of time on n.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
import warnings
from datetime import UTC
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_comparison import make_records  # noqa: E402
from common import (  # noqa: E402
    Stopwatch,
    drop_database,
    exit_on_sigterm,
    load_average,
    migrate,
    recreate_database,
    reset_peak_rss,
    rss_mib,
    write_result,
)

EVENT = "scale"
DB_NAME = "bench_stored"


def synthetic_result(record: Any, frame_keys: tuple[str, ...], model: Any, target: str) -> Any:
    """An ``ArticleClassification`` for ``record`` by ``model`` (a ``ModelRef``; no evidence)."""
    from classifiers import ArticleClassification, FrameResult, StanceResult

    frames = tuple(
        FrameResult(key, key, round(0.2 + 0.6 * present, 3), present, round(share, 4))
        for key, present, share in zip(
            frame_keys, record.frames.values(), record.shares.values(), strict=True
        )
    )
    dominant = frame_keys[list(record.frames).index(record.dominant_frame)] if record.dominant_frame else None
    label = record.stance
    scores = {s: (0.6 if s == label else 0.2) for s in ("favor", "against", "neutral")}
    stance = StanceResult(target, label, scores if label else {})
    return ArticleClassification("ok", 30, frames, dominant, stance, model, "en")


def fill(session: Any, records: list, frame_keys: tuple[str, ...], model: Any, target: str) -> float:
    """Store ``records`` in the ``scale`` event with their synthetic results; returns seconds."""
    from service.storage.articles import ingest_articles
    from service.storage.classifications import store_classifications

    with Stopwatch() as sw:
        for start in range(0, len(records), 5000):
            chunk = records[start : start + 5000]
            items = [
                {
                    "outlet": r.outlet.replace("_", "-"),
                    "event": EVENT,
                    "title": f"Report {start + i}",
                    "text": r.text,
                    "published_at": r.published_at.replace(tzinfo=UTC),
                    "language": "en",
                }
                for i, r in enumerate(chunk)
            ]
            result = ingest_articles(session, items, create_missing=True)
            store_classifications(
                session,
                [
                    (aid, synthetic_result(r, frame_keys, model, target))
                    for aid, r in zip(result.ids, chunk, strict=True)
                ],
            )
            session.commit()
    return sw.seconds


def replicate(session: Any, n_target: int) -> float:
    """Grow the ``scale`` event to ``n_target`` articles by copying its rows in the database.

    Copies take new ids from the tables' own sequences, a content hash made unique per copy, and keep
    every other column (outlet, dates, text, classification result, frame rows), so the comparison
    sees more of the same mix. PostgreSQL only. Returns seconds.
    """
    from sqlalchemy import text

    from service.storage.tables import Article, ArticleFrame, Classification

    def cols(table: Any, skip: set[str]) -> list[str]:
        return [c.name for c in table.columns if c.name not in skip]

    a_cols = cols(Article.__table__, {"id", "content_hash", "url"})
    c_cols = cols(Classification.__table__, {"id", "article_id"})
    f_cols = cols(ArticleFrame.__table__, {"classification_id", "article_id"})
    event_id = session.execute(text("SELECT id FROM events WHERE key = :k"), {"k": EVENT}).scalar_one()
    with Stopwatch() as sw:
        while True:
            n_now = session.execute(
                text("SELECT count(*) FROM articles WHERE event_id = :e"), {"e": event_id}
            ).scalar_one()
            if n_now >= n_target:
                break
            session.execute(text("DROP TABLE IF EXISTS amap, cmap"))
            session.execute(
                text(
                    "CREATE TEMP TABLE amap AS SELECT id AS old_id, "
                    "nextval(pg_get_serial_sequence('articles', 'id')) AS new_id "
                    "FROM articles WHERE event_id = :e ORDER BY id LIMIT :n"
                ),
                {"e": event_id, "n": n_target - n_now},
            )
            session.execute(
                text(
                    f"INSERT INTO articles (id, content_hash, url, {', '.join(a_cols)}) "
                    f"SELECT m.new_id, md5(a.content_hash || '-' || m.new_id), NULL, "
                    f"{', '.join('a.' + c for c in a_cols)} FROM articles a JOIN amap m ON a.id = m.old_id"
                )
            )
            session.execute(
                text(
                    "CREATE TEMP TABLE cmap AS SELECT c.id AS old_id, m.new_id AS new_article, "
                    "nextval(pg_get_serial_sequence('classifications', 'id')) AS new_id "
                    "FROM classifications c JOIN amap m ON c.article_id = m.old_id"
                )
            )
            session.execute(
                text(
                    f"INSERT INTO classifications (id, article_id, {', '.join(c_cols)}) "
                    f"SELECT m.new_id, m.new_article, {', '.join('c.' + c for c in c_cols)} "
                    "FROM classifications c JOIN cmap m ON c.id = m.old_id"
                )
            )
            session.execute(
                text(
                    f"INSERT INTO article_frames (classification_id, article_id, {', '.join(f_cols)}) "
                    f"SELECT m.new_id, m.new_article, {', '.join('f.' + c for c in f_cols)} "
                    "FROM article_frames f JOIN cmap m ON f.classification_id = m.old_id"
                )
            )
            session.commit()
        session.execute(text("ANALYZE"))
        session.commit()
    return sw.seconds


def best(fn: Any, repeat: int) -> tuple[float, Any]:
    times, value = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return min(times), value


def slope(xs: list[float], ys: list[float]) -> float | None:
    pairs = [(x, y) for x, y in zip(xs, ys, strict=True) if y and y > 0]
    if len(pairs) < 2:
        return None
    return round(float(np.polyfit(np.log([p[0] for p in pairs]), np.log([p[1] for p in pairs]), 1)[0]), 2)


def run(sizes: list[int], repeat: int, http: bool, real_fill_max: int) -> dict[str, Any]:
    from comparison import compare_outlets
    from service import create_app
    from service.analysis import stored_records
    from service.classifier_registry import get_model

    url = recreate_database(DB_NAME)
    migrate(url)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        app = create_app({"DATABASE_URL": url, "LOG_LEVEL": "WARNING", "RATELIMIT_ENABLED": False})
    client = app.test_client()
    with app.app_context():
        model = get_model()
        frame_keys = model.codebook.frame_keys
        model_ref = model.model_ref
        target = model.codebook.default_target
    t0 = time.perf_counter()
    all_records = make_records(min(max(sizes), real_fill_max))
    generated = time.perf_counter() - t0
    out: dict[str, Any] = {"sizes": sizes, "generate_seconds": round(generated, 1), "levels": []}
    server = None
    if http:
        from server import Server

        server = Server(url).__enter__()
        out["http_server"] = {"workers": 2, "ready_seconds": round(server.ready_seconds, 1)}
    try:
        stored = 0
        for n in sizes:
            level: dict[str, Any] = {"n": n, "load_avg_before": load_average()}
            session = app.extensions["framescope"]["sessionmaker"]()
            if n <= real_fill_max:
                filled = fill(session, all_records[stored:n], frame_keys, model_ref, target)
                level["fill"] = "storage DAO"
            else:
                filled = replicate(session, n)
                level["fill"] = "copied in SQL"
            level["fill_seconds"] = round(filled, 2)
            session.close()
            stored = n
            with app.test_request_context("/"):
                session = app.extensions["framescope"]["sessionmaker"]()
                reps = repeat if n < 100_000 else 1
                base = rss_mib()["rss"]
                reset_peak_rss()
                t_store, selection = best(lambda s=session: stored_records(s, event=EVENT), reps)
                records = selection.records
                t_cmp, _ = best(lambda r=records: compare_outlets(r, frame_keys), reps)
                level["peak_rss_growth_mib"] = round(rss_mib()["hwm"] - base, 1)
                del records
                session.close()
            level["storage_seconds"] = round(t_store, 3)
            level["compare_seconds"] = round(t_cmp, 3)
            level["inprocess_seconds"] = round(t_store + t_cmp, 3)
            t_app, resp = best(lambda: client.get(f"/v1/events/{EVENT}/comparison"), reps)
            level["app_status"] = resp.status_code
            level["app_seconds"] = round(t_app, 3)
            level["response_kib"] = round(len(resp.data) / 1024, 1)
            if server is not None:
                pids = server.worker_pids()
                for pid in pids:
                    reset_peak_rss(pid)
                path = f"/v1/events/{EVENT}/comparison"
                t_http, (status, _) = best(lambda p=path: server.request("GET", p), reps)
                level["http_status"] = status
                level["http_seconds"] = round(t_http, 3)
                level["worker_peak_rss_mib"] = max(m["hwm"] for m in server.worker_memory())
            level["load_avg_after"] = load_average()
            out["levels"].append(level)
            print(" ".join(f"{k}={v}" for k, v in level.items()), flush=True)
    finally:
        if server is not None:
            server.__exit__(None, None, None)
        app.extensions["framescope"]["engine"].dispose()
        drop_database(DB_NAME)
    ns = [lv["n"] for lv in out["levels"]]
    out["growth_exponent"] = {
        key: slope(ns, [lv.get(f"{key}_seconds") or math.nan for lv in out["levels"]])
        for key in ("storage", "compare", "inprocess", "app", "http")
    }
    print(f"growth exponents: {out['growth_exponent']}", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--no-http", action="store_true", help="skip the gunicorn part")
    ap.add_argument(
        "--real-fill-max",
        type=int,
        default=10_000,
        help="sizes above this grow by copying rows in SQL instead of through the DAO",
    )
    args = ap.parse_args()
    exit_on_sigterm()
    os.environ.setdefault("FRAMESCOPE_LOG_LEVEL", "WARNING")
    res = run(sorted(args.sizes), args.repeat, not args.no_http, args.real_fill_max)
    res["load_avg_end"] = load_average()
    write_result("stored", res)


if __name__ == "__main__":
    main()
