"""Run every benchmark, then write bench/RESULTS.md (what `make bench` does).

usage: python bench/run_all.py [--skip http stored ...]

Each benchmark runs as its own process (so one's memory or failure does not touch the next), with a
time limit, its output in ``bench/results/<name>.log`` and its numbers in
``bench/results/<name>.json``; a benchmark that fails or is skipped shows up as such in the report.
Needs PostgreSQL on 127.0.0.1:5432 (``BENCH_PG`` to change) for ``http`` and ``stored``, and uses wrk
when installed (``apt-get install wrk``), a Python load generator otherwise.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

os.environ["BENCH_RESULTS_DIR"] = str(Path(__file__).resolve().parent / "results" / "latest")

from common import REPO, RESULTS, load_average, machine, write_result  # noqa: E402
from report import write_report  # noqa: E402

#: name -> (script and arguments, time limit in seconds); sized for < 10 minutes on 2 cores
BENCHMARKS: dict[str, tuple[list[str], int]] = {
    "classify": (
        ["bench/bench_classify.py", "--n-articles", "2000", "--out", str(RESULTS / "classify.json")],
        180,
    ),
    "classify_texts": (["bench/bench_classify_texts.py"], 180),
    "comparison": (
        [
            "bench/bench_comparison.py",
            "--variants",
            "compare",
            "peak",
            "--repeat",
            "2",
            "--single-run-from",
            "100000",
            "--trace-max",
            "10000",
        ],
        300,
    ),
    "http": (["bench/bench_http.py"], 420),
    "stored": (["bench/bench_stored.py"], 2400),
    "syndication": (["bench/bench_syndication.py"], 300),
    "html": (["bench/bench_html.py"], 180),
    "bulk": (["bench/bench_bulk.py", "--real", "2000", "--sizes", "10000,100000"], 600),
    # 1 vs 2 `flask jobs worker` processes on one 100,000-article classify job (needs Redis:
    # BENCH_REDIS_URL or REDIS_URL; skipped without)
    "workers": (
        [
            "bench/bench_bulk.py",
            "--real",
            "1000",
            "--workers",
            "1,2",
            "--job-size",
            "100000",
            "--skip-exports",
            "--result-name",
            "workers",
        ],
        1200,
    ),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--skip", nargs="*", default=[], choices=sorted(BENCHMARKS))
    ap.add_argument("--only", nargs="*", default=None, choices=sorted(BENCHMARKS))
    args = ap.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = time.time()
    runs: dict[str, dict] = {}
    write_result("machine", machine())
    for name, (cmd, limit) in BENCHMARKS.items():
        if name in args.skip or (args.only is not None and name not in args.only):
            runs[name] = {"status": "skipped (option)"}
            continue
        (RESULTS / f"{name}.json").unlink(missing_ok=True)  # never report a stale number
        load_before = load_average()
        print(f"== {name}: {' '.join(cmd)} (limit {limit} s, load {load_before})", flush=True)
        t0 = time.perf_counter()
        with (RESULTS / f"{name}.log").open("w") as log:
            proc = subprocess.Popen(
                [sys.executable, *cmd], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            watchdog = threading.Timer(limit, proc.terminate)  # the benchmark's finally blocks still run
            watchdog.start()
            for line in proc.stdout:
                print("   " + line, end="", flush=True)
                log.write(line)
            code = proc.wait()
            watchdog.cancel()
        if time.perf_counter() - t0 >= limit:
            status = f"failed (stopped after {limit} s)"
        else:
            status = "ok" if code == 0 else f"failed (exit {code}; see bench/results/{name}.log)"
        runs[name] = {
            "status": status,
            "seconds": round(time.perf_counter() - t0, 1),
            "load_avg_before": load_before,
            "load_avg_after": load_average(),
        }
        print(f"== {name}: {status} in {runs[name]['seconds']} s", flush=True)
    write_result(
        "runs",
        {
            "started": started,
            "seconds": round(time.time() - started, 1),
            "runs": runs,
            "load_avg_end": load_average(),
        },
    )
    path = write_report()
    print(f"\nwrote {path.relative_to(REPO)} ({time.time() - started:.0f} s in all)\n")
    print(path.read_text())


if __name__ == "__main__":
    main()
