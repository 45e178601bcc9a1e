"""Bounded HTTP load against 127.0.0.1: wrk when installed, else a small Python load generator.

Both are closed-loop (``connections`` clients, each sending its next request when the answer to the
last one arrives) and stop after ``seconds``; both report req/s, p50/p95/p99 in milliseconds and the
number of non-2xx answers and socket errors. Only loopback URLs are accepted.
"""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from common import percentiles

WRK_HINT = (
    "wrk not found: `apt-get install wrk` (Debian/Ubuntu) for the reference load generator; using Python"
)

_WRK_SCRIPT = r"""
local f = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
wrk.method = os.getenv("BENCH_METHOD")
local body = f:read("*a")
f:close()
if os.getenv("BENCH_CLOSE") == "1" then
  wrk.headers["Connection"] = "close"
end
if #body > 0 then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nBENCH_JSON {"requests": %d, "duration_us": %d, "socket_errors": %d, "non_2xx": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
"""


def _check_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        raise ValueError(f"load is only sent to loopback addresses, not {host!r}")


def run_load(
    url: str,
    *,
    method: str = "GET",
    body: bytes = b"",
    seconds: float = 15,
    connections: int = 8,
    use_wrk: bool = True,
    close: bool = False,
) -> dict[str, Any]:
    """Closed-loop load for ``seconds``; returns ``{tool, requests, req_per_s, p50_ms, ..., non_2xx}``.

    ``close`` sends ``Connection: close`` (wrk only): a new connection per request, so the server's
    workers share the load instead of keeping the connections they first accepted.
    """
    _check_loopback(url)
    if use_wrk and shutil.which("wrk"):
        return _run_wrk(url, method, body, seconds, connections, close)
    if use_wrk:
        print(WRK_HINT, flush=True)
    return run_python_load(url, lambda _i: body, method=method, seconds=seconds, connections=connections)


def _run_wrk(
    url: str, method: str, body: bytes, seconds: float, connections: int, close: bool = False
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        script, body_file = Path(tmp) / "bench.lua", Path(tmp) / "body"
        script.write_text(_WRK_SCRIPT)
        body_file.write_bytes(body)
        cmd = [
            "wrk",
            "-t",
            "1",
            "-c",
            str(connections),
            "-d",
            f"{seconds:g}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            url,
        ]
        env = {
            "BENCH_BODY_FILE": str(body_file),
            "BENCH_METHOD": method,
            "PATH": "/usr/bin:/bin",
            "BENCH_CLOSE": "1" if close else "0",
        }
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=seconds + 60)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {done.stdout[-500:]} {done.stderr[-500:]}")
    raw = json.loads(line.split(" ", 1)[1])
    duration = raw["duration_us"] / 1e6
    return {
        "tool": f"wrk -t1 -c{connections}" + (", Connection: close" if close else ", keep-alive"),
        "seconds": round(duration, 1),
        "requests": raw["requests"],
        "req_per_s": round(raw["requests"] / duration, 1),
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "non_2xx": raw["non_2xx"],
        "socket_errors": raw["socket_errors"],
    }


def run_python_load(
    url: str,
    make_body: Callable[[int], bytes],
    *,
    method: str = "POST",
    seconds: float = 15,
    connections: int = 2,
    max_requests: int | None = None,
    content_type: str = "application/json",
) -> dict[str, Any]:
    """Closed loop from threads with keep-alive connections; ``make_body(i)`` gives request ``i``'s body.

    Building a body is not timed (only send → full answer), so fresh payloads per request (e.g.
    articles that must not deduplicate) do not count against the server.
    """
    _check_loopback(url)
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = [0]
    counter = iter(range(10**9))
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)
        while time.perf_counter() < deadline:
            with lock:
                i = next(counter)
            if max_requests is not None and i >= max_requests:
                break
            body = make_body(i)
            t0 = time.perf_counter()
            try:
                conn.request(
                    method, path, body=body or None, headers={"Content-Type": content_type} if body else {}
                )
                resp = conn.getresponse()
                resp.read()
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)
                continue
            elapsed = time.perf_counter() - t0
            with lock:
                latencies.append(elapsed)
                statuses[resp.status] = statuses.get(resp.status, 0) + 1
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    duration = time.perf_counter() - started
    pct = percentiles(latencies)
    return {
        "tool": f"python, {connections} connection(s)",
        "seconds": round(duration, 1),
        "requests": len(latencies),
        "req_per_s": round(len(latencies) / duration, 2) if duration else 0.0,
        **{f"{k}_ms": round(v * 1000, 1) for k, v in pct.items()},
        "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
        "non_2xx": sum(n for s, n in statuses.items() if not 200 <= s < 300),
        "statuses": statuses,
        "socket_errors": errors[0],
    }
