"""Profile the hot paths with pyinstrument: what `docs/performance.md` reports comes from here.

usage: python bench/profile_hot_paths.py [--only classify batch comparison] [--n-stored 10000]

Each path runs in-process through Flask's test client (the whole view: parsing, validation, model or
statistics, JSON), over a fresh PostgreSQL database (``bench_profile``):

* ``classify``: 300 × ``POST /v1/classify`` with one ~600-word article;
* ``batch``: ``POST /v1/articles/batch`` with 1,000 fresh articles (classify on ingest + storage);
* ``comparison``: ``GET /v1/events/scale/comparison`` over ``--n-stored`` stored classified articles.

Text reports go to ``bench/results/profile_<path>.txt`` (and stdout, trimmed), HTML next to them.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from pyinstrument import Profiler

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_classify import make_articles  # noqa: E402
from bench_http import batch_body  # noqa: E402
from common import RESULTS, drop_database, migrate, recreate_database  # noqa: E402

DB_NAME = "bench_profile"


def report(name: str, profiler: Profiler) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    (RESULTS / f"profile_{name}.txt").write_text(text)
    (RESULTS / f"profile_{name}.html").write_text(profiler.output_html())
    print(f"===== {name} =====")
    print("\n".join(text.splitlines()[:80]), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", nargs="+", default=["classify", "batch", "comparison"])
    ap.add_argument("--n-stored", type=int, default=10_000)
    ap.add_argument("--interval", type=float, default=0.001)
    args = ap.parse_args()

    from service import create_app

    url = recreate_database(DB_NAME)
    migrate(url)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        app = create_app({"DATABASE_URL": url, "LOG_LEVEL": "WARNING", "RATELIMIT_ENABLED": False})
    client = app.test_client()
    try:
        if "classify" in args.only:
            title, text, _ = make_articles(1)[0]
            body = {"title": title, "text": text}
            assert client.post("/v1/classify", json=body).status_code == 200
            profiler = Profiler(interval=args.interval)
            with profiler:
                for _ in range(300):
                    client.post("/v1/classify", json=body)
            report("classify", profiler)
        if "batch" in args.only:
            base = make_articles(1000)
            payload = batch_body(0, base)
            profiler = Profiler(interval=args.interval)
            with profiler:
                resp = client.post(
                    "/v1/articles/batch?create_missing=true", data=payload, content_type="application/json"
                )
            assert resp.status_code in (200, 201), resp.data[:300]
            report("batch", profiler)
        if "comparison" in args.only:
            from bench_stored import EVENT, fill, make_records

            from service.classifier_registry import get_model

            with app.app_context():
                model = get_model()
                ref = {
                    "version": model.version,
                    "codebook": model.codebook.key,
                    "codebook_hash": model.codebook.hash,
                }
                session = app.extensions["framescope"]["sessionmaker"]()
                fill(
                    session,
                    make_records(args.n_stored),
                    model.codebook.frame_keys,
                    ref,
                    model.codebook.default_target,
                )
                session.close()
            path = f"/v1/events/{EVENT}/comparison"
            resp = client.get(path)
            assert resp.status_code == 200, resp.data[:300]
            n = sum(r["n_articles"] for r in json.loads(resp.data)["tables"]["outlets"])
            profiler = Profiler(interval=args.interval)
            with profiler:
                client.get(path)
            print(f"comparison over {n} stored articles")
            report("comparison", profiler)
    finally:
        app.extensions["framescope"]["engine"].dispose()
        drop_database(DB_NAME)


if __name__ == "__main__":
    main()
