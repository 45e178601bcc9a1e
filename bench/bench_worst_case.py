"""Worst-case CPU time and memory of one request within the default limits (issue 16).

usage: python bench/bench_worst_case.py [--only NAME ...]

One gunicorn worker (the shipped gunicorn.conf.py) on a fresh SQLite database; each hostile body is
sent alone and the worker's CPU seconds and peak RSS (VmHWM, reset before each request through
/proc/<pid>/clear_refs) are read around it. Numbers go to docs/deploying.md ("Limits").
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import migrate, reset_peak_rss, rss_mib  # noqa: E402
from server import Server  # noqa: E402

MIB = 1024 * 1024
MAX_BODY = 64 * MIB
SENTENCES = "Officials said the talks would continue. "


def article(i: int, text: str) -> dict:
    return {"outlet": "worst-case", "title": f"Article {i}", "text": text, "url": f"https://w.example/{i}"}


def empty_objects() -> tuple[str, bytes]:
    return "/v1/articles/batch", b"[" + b"{}," * (MAX_BODY // 3 - 2) + b"{}]"


def many_unknown_fields() -> tuple[str, bytes]:
    """~240k values (just under MAX_JSON_VALUES): 10,000 items of 23 unknown fields each."""
    item = "{" + ",".join(f'"f{j}": 0' for j in range(23)) + "}"
    return "/v1/articles/batch", ("[" + ",".join([item] * 10_000) + "]").encode()


def valid_batch_64mb() -> tuple[str, bytes]:
    """10,000 valid articles filling the body limit (~6.6 kB of prose each), stored and classified."""
    text = (SENTENCES * 170)[:6_500]
    items = [article(i, f"Report {i}. " + text) for i in range(10_000)]
    return "/v1/articles/batch?create_missing=true", json.dumps(items).encode()


def classify_long_words() -> tuple[str, bytes]:
    """The issue's example: ten texts of 499,990 non-space characters (took 63 s of CPU)."""
    items = [{"title": "t", "text": "a" * 499_990} for _ in range(10)]
    return "/v1/classify", json.dumps(items).encode()


def classify_short_sentences() -> tuple[str, bytes]:
    """MAX_CLASSIFY_CHARS (5M) of short real sentences: the most classification work per byte."""
    text = (SENTENCES * 12_200)[:499_990]
    return "/v1/classify", json.dumps([{"title": "t", "text": text} for _ in range(10)]).encode()


def classify_punctuation() -> tuple[str, bytes]:
    """5M characters of repeated punctuation (the slowest shape for the sentence splitter)."""
    return "/v1/classify", json.dumps([{"title": "t", "text": "!?" * 249_995} for _ in range(10)]).encode()


def wide_string() -> tuple[str, bytes]:
    """One 64 MB string of 4-byte characters (UCS-4 in Python): refused by MAX_TEXT_CHARS after parsing."""
    return "/v1/classify", ('{"title": "t", "text": "' + "\U0001f600" * (MAX_BODY // 4 - 10) + '"}').encode()


BODIES: dict[str, Callable[[], tuple[str, bytes]]] = {
    "64 MB of [{},{},…]": empty_objects,
    "10,000 items × 23 unknown fields": many_unknown_fields,
    "valid 64 MB batch (10,000 articles)": valid_batch_64mb,
    "classify 10 × 500k-char words": classify_long_words,
    "classify 5M chars of short sentences": classify_short_sentences,
    "classify 5M chars of '!?'": classify_punctuation,
    "64 MB string of emoji": wide_string,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="worst-case-"))
    database_url = f"sqlite:///{directory / 'db.sqlite3'}"
    migrate(database_url)
    rows = []
    with Server(database_url, workers=1, env={"FRAMESCOPE_LOG_LEVEL": "WARNING"}) as srv:
        (pid,) = srv.worker_pids()
        baseline = rss_mib(pid)
        print(f"worker {pid}: idle RSS {baseline['rss']:.0f} MiB", flush=True)
        for name, build in BODIES.items():
            if args.only and name not in args.only:
                continue
            path, body = build()
            reset_peak_rss(pid)
            cpu_before = srv.worker_cpu()[pid]
            started = time.perf_counter()
            status, answer = srv.request("POST", path, body)
            wall = time.perf_counter() - started
            cpu = srv.worker_cpu()[pid] - cpu_before
            memory = rss_mib(pid)
            row = {
                "body": name,
                "bytes": len(body),
                "status": status,
                "answer_bytes": len(answer),
                "cpu_s": round(cpu, 2),
                "wall_s": round(wall, 2),
                "peak_rss_mib": round(memory["hwm"]),
                "rss_after_mib": round(memory["rss"]),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
            del body, answer
    print("\n| body | size | status | CPU s | peak RSS MiB | RSS after MiB |\n|---|---|---|---|---|---|")
    for r in rows:
        cells = [r["body"], f"{r['bytes'] / MIB:.1f} MiB", r["status"], r["cpu_s"], r["peak_rss_mib"]]
        print("| " + " | ".join(str(c) for c in [*cells, r["rss_after_mib"]]) + " |")


if __name__ == "__main__":
    main()
