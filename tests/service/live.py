"""A real gunicorn process for end-to-end tests: free port on 127.0.0.1, the repo's gunicorn.conf.py."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def worker_pids(master_pid: int) -> list[int]:
    """gunicorn workers are the master's children (read from /proc; no process-name matching)."""
    path = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    return [int(pid) for pid in path.read_text().split()] if path.exists() else []


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen
    log_path: Path

    def workers(self) -> list[int]:
        return worker_pids(self.process.pid)

    def wait_ready(self, timeout: float = 90, *, exclude: set[int] = frozenset()) -> int:
        """Wait until /health answers from a worker not in ``exclude``; return that worker's pid."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_path.read_text()[-3000:]}")
            fresh = [pid for pid in self.workers() if pid not in exclude]
            try:
                if fresh and requests.get(self.url + "/health", timeout=2).status_code == 200:
                    return fresh[0]
            except requests.RequestException:  # not listening yet, or a worker still booting
                pass
            time.sleep(0.1)
        raise TimeoutError(f"gunicorn not ready: {self.log_path.read_text()[-3000:]}")


@contextmanager
def live_server(
    database_url: str,
    log_dir: Path,
    *,
    workers: int = 1,
    threads: int = 4,
    env: dict[str, str] | None = None,
    **settings: str,
) -> Iterator[LiveServer]:
    """Start gunicorn exactly as the Procfile does (plus a bind to 127.0.0.1) and stop it afterwards."""
    from tests.conftest import MODEL_CACHE_DIR, session_model

    session_model()  # make sure the model cache exists, so workers load it instead of training
    port = free_port()
    env = {
        **os.environ,
        **(env or {}),
        "DATABASE_URL": database_url,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_THREADS": str(threads),
        "FRAMESCOPE_MODEL_CACHE_DIR": str(MODEL_CACHE_DIR),
        "FRAMESCOPE_LOG_LEVEL": "WARNING",
        **{f"FRAMESCOPE_{name}": value for name, value in settings.items()},
    }
    env.pop("REDIS_URL", None)
    log_path = log_dir / f"gunicorn-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(GUNICORN), "--config", "gunicorn.conf.py"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
    server = LiveServer(f"http://127.0.0.1:{port}", process, log_path)
    try:
        server.wait_ready()
        yield server
    finally:
        stop_process(process)


def stop_process(process: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM (a graceful stop), then SIGKILL if it is still there after ``timeout`` seconds."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
