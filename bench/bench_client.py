"""The client and CLI against gunicorn (SQLite, 1 worker): what `framescope import` costs over raw
batch POSTs of the same articles, and what a resumed or repeated import costs.

    .venv/bin/python bench/bench_client.py [--n 2000]

Articles are the invented Port Selenko samples (fixtures/samples) glued five at a time (~250 words)
with a numbered closing sentence, so each is new to the server.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, load_average, migrate, write_result  # noqa: E402
from server import Server  # noqa: E402


def articles(n: int) -> list[dict[str, Any]]:
    samples = json.loads((REPO / "fixtures" / "samples" / "port-selenko.json").read_text())
    out = []
    for i in range(n):
        base = samples[i % len(samples)]
        text = " ".join(samples[(i + k) % len(samples)]["text"] for k in range(5))
        out.append(
            {
                "outlet": base["outlet"],
                "event": base["event"],
                "title": f"{base['title']} ({i})",
                "text": f"{text} This is report number {i}.",
                "url": f"https://bench.example/{i}",
                "outlet_attr_type": base["outlet_attributes"]["type"],
            }
        )
    return out


def raw_post(url: str, items: list[dict[str, Any]], batch: int) -> float:
    started = time.perf_counter()
    with httpx.Client(base_url=url, timeout=600) as http:
        for i in range(0, len(items), batch):
            chunk = [
                {**{k: v for k, v in a.items() if k != "outlet_attr_type"},
                 "outlet_attributes": {"type": a["outlet_attr_type"]}}
                for a in items[i : i + batch]
            ]  # fmt: skip
            response = http.post("/v1/articles/batch?create_missing=true", json=chunk)
            response.raise_for_status()
    return time.perf_counter() - started


def cli_import(url: str, path: Path, state: Path, *extra: str) -> float:
    command = [sys.executable, "-m", "framescope", "--url", url, "--no-progress", "import", str(path)]
    started = time.perf_counter()
    subprocess.run([*command, "--state", str(state), *extra], cwd=REPO, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    items = articles(args.n)
    work = Path(tempfile.mkdtemp(prefix="bench-client-"))
    path = work / "articles.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(items[0]))
        writer.writeheader()
        writer.writerows(items)
    result: dict[str, Any] = {"n_articles": args.n, "batch": args.batch, "load_before": load_average()}
    for name in ("raw", "cli"):
        database = f"sqlite:///{work / name}.sqlite3"
        migrate(database)
        with Server(database, workers=1, env={"FRAMESCOPE_LOG_LEVEL": "WARNING"}) as server:
            if name == "raw":
                seconds = raw_post(server.base, items, args.batch)
                result["raw_post_seconds"] = round(seconds, 2)
            else:
                state = work / "state.json"
                result["cli_import_seconds"] = round(cli_import(server.base, path, state, "--batch-size",
                                                                str(args.batch)), 2)  # fmt: skip
                result["cli_rerun_nothing_new_seconds"] = round(cli_import(server.base, path, state), 2)
                result["cli_restart_all_duplicates_seconds"] = round(
                    cli_import(server.base, path, state, "--restart"), 2
                )
    result["raw_articles_per_second"] = round(args.n / result["raw_post_seconds"], 1)
    result["cli_articles_per_second"] = round(args.n / result["cli_import_seconds"], 1)
    result["load_after"] = load_average()
    print(json.dumps(result, indent=2))
    write_result("client", result)


if __name__ == "__main__":
    main()
