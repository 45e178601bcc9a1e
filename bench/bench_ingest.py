"""PostgreSQL ingest (issue 13): articles stored + labelled per second, COPY path vs INSERT path.

``POST /v1/articles/batch`` with 1,000 real articles (``../shared/datasets``, read in place; each
round's copies get a suffix so every article is new) on a scratch PostgreSQL database, alternating
the two write paths round by round so both see the same machine load: ``copy`` (the default:
batches of ``MIN_COPY_ROWS`` or more go through COPY and a staging table) and ``insert`` (the bulk
INSERT ... ON CONFLICT path, what every batch used before). Reports the median articles/s of each,
the client process's CPU seconds per 1,000 articles and the load average.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_classify_texts import dataset_texts  # noqa: E402
from common import drop_database, load_average, migrate, recreate_database, write_result  # noqa: E402

DB_NAME = "bench_ingest"


def batch(texts: list[tuple[str, str, Any]], round_: int, size: int) -> list[dict[str, Any]]:
    return [
        {"outlet": f"outlet-{i % 12}", "title": title or f"Report {i}", "text": f"{text} [{round_}-{i}]"}
        for i, (title, text, _) in enumerate(texts[:size])
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=4, help="batches per path")
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--db-name", default=DB_NAME)
    args = parser.parse_args()

    import service.storage.upsert as upsert
    from service import create_app

    database_url = recreate_database(args.db_name)
    try:
        migrate(database_url)
        app = create_app({"DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", "JOB_EXECUTOR": "thread"})
        client = app.test_client()
        texts = [t for t in dataset_texts() if len(t[1]) > 500]
        copy_min = upsert.MIN_COPY_ROWS
        client.post("/v1/articles/batch?create_missing=true", json=batch(texts, -1, 50))  # warm up
        runs: dict[str, list[dict[str, float]]] = {"insert": [], "copy": []}
        load_before = load_average()
        for round_ in range(args.rounds):
            for mode in ("insert", "copy") if round_ % 2 == 0 else ("copy", "insert"):
                upsert.MIN_COPY_ROWS = copy_min if mode == "copy" else 10**9
                items = batch(texts, round_ * 2 + (mode == "copy"), args.size)
                cpu, started = time.process_time(), time.perf_counter()
                response = client.post("/v1/articles/batch?create_missing=true", json=items)
                seconds = time.perf_counter() - started
                assert response.status_code == 201 and response.get_json()["n_created"] == len(items)
                runs[mode].append(
                    {
                        "per_s": len(items) / seconds,
                        "cpu_per_1000": (time.process_time() - cpu) * 1000 / len(items),
                    }
                )
        upsert.MIN_COPY_ROWS = copy_min
        result: dict[str, Any] = {"batch": args.size, "rounds": args.rounds, "load_before": load_before}
        for mode, values in runs.items():
            result[mode] = {
                "articles_per_s": round(statistics.median(v["per_s"] for v in values), 1),
                "client_cpu_s_per_1000": round(statistics.median(v["cpu_per_1000"] for v in values), 2),
            }
        result["speedup"] = round(result["copy"]["articles_per_s"] / result["insert"]["articles_per_s"], 2)
        result["load_after"] = load_average()
        app.extensions["framescope"]["engine"].dispose()
        print(result)
        write_result("ingest", result)
    finally:
        drop_database(args.db_name)


if __name__ == "__main__":
    main()
