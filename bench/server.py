"""The real service under gunicorn for the HTTP benchmarks: production config, its own database.

``gunicorn.conf.py`` as shipped (asyncio workers that read each request in full, then a thread pool;
JSON logs), 2 workers, bound to a free loopback port. Rate limiting stays on with a limit no
benchmark reaches, so its cost is measured but it never refuses; auth stays at its default
(anonymous allowed unless ``FRAMESCOPE_AUTH_REQUIRED``).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from common import REPO, RESULTS, children, cpu_seconds, rss_mib


def free_port() -> int:
    """``BENCH_PORT`` when set (a port range agreed on a shared machine), else any free one."""
    if os.environ.get("BENCH_PORT"):
        return int(os.environ["BENCH_PORT"])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``with Server(database_url) as srv:`` starts gunicorn and waits for ``/ready``; stops on exit."""

    def __init__(
        self,
        database_url: str,
        *,
        workers: int = 2,
        env: dict[str, str] | None = None,
        app: str | None = None,
        port: int | None = None,
        jobs_worker: bool = False,
    ) -> None:
        """``app``: another gunicorn app (``module:factory()``, found on ``bench/``) with the same config;
        ``jobs_worker``: also run one ``flask jobs worker`` (RQ; needs ``REDIS_URL`` in ``env``)."""
        self.database_url = database_url
        self.app = app
        self.jobs_worker = jobs_worker
        self.worker_proc: subprocess.Popen | None = None
        self.workers = workers
        self.extra_env = env or {}
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = RESULTS / "gunicorn.log"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        RESULTS.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env.pop("REDIS_URL", None)  # only an explicit ``env`` choice: the rate limiter and jobs use it
        env.update(
            DATABASE_URL=self.database_url,
            WEB_CONCURRENCY=str(self.workers),
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            FRAMESCOPE_RATELIMIT_APPLICATION="100000000 per minute",
        )
        env.update(self.extra_env)
        if self.app:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "bench"), env.get("PYTHONPATH")]))
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [gunicorn, "--config", "gunicorn.conf.py", *([self.app] if self.app else [])],
            cwd=REPO,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.started = time.perf_counter()
        try:
            self.wait_ready()
        except BaseException:  # ``with`` calls no __exit__ when __enter__ fails: stop gunicorn here
            self.__exit__()
            raise
        if self.jobs_worker:
            self.worker_proc = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "service", "jobs", "worker"],
                cwd=REPO,
                env=env,
                stdout=self._log,
                stderr=subprocess.STDOUT,
            )
        return self

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}); see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base + "/ready", timeout=2) as resp:
                    if resp.status == 200 and len(self.worker_pids()) >= self.workers:
                        # every worker must have its model: ask until both have answered
                        self.ready_seconds = time.perf_counter() - self.started
                        return
            except OSError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"gunicorn not ready after {timeout} s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        return children(self.proc.pid) if self.proc else []

    def worker_memory(self) -> list[dict[str, float]]:
        """RSS and peak RSS (MiB) of every worker."""
        return [{"pid": pid, **rss_mib(pid)} for pid in self.worker_pids()]

    def worker_cpu(self) -> dict[int, float]:
        """CPU seconds (user + system) used so far by each worker: shows how load was split."""
        out = {}
        for pid in self.worker_pids():
            try:
                out[pid] = cpu_seconds(pid)
            except OSError:
                continue
        return out

    def get_json(self, path: str, timeout: float = 60) -> Any:
        with urllib.request.urlopen(self.base + path, timeout=timeout) as resp:
            return json.loads(resp.read())

    def request(
        self, method: str, path: str, body: bytes | None = None, timeout: float = 600
    ) -> tuple[int, bytes]:
        req = urllib.request.Request(
            self.base + path,
            data=body,
            method=method,
            headers={"Content-Type": "application/json"} if body else {},
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def __exit__(self, *exc: object) -> None:
        if self.worker_proc and self.worker_proc.poll() is None:
            self.worker_proc.send_signal(signal.SIGTERM)
            try:
                self.worker_proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.worker_proc.kill()
                self.worker_proc.wait()
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
