"""Shared helpers for the benchmarks: machine facts, process memory, PostgreSQL scratch databases.

Every benchmark writes one JSON file to ``bench/results/`` (ignored by git); ``bench/run_all.py``
turns them into ``bench/RESULTS.md``. Memory is read from ``/proc`` (Linux), so nothing beyond the
project's requirements is needed.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
#: where results go; run_all.py points its children at bench/results/latest so that a benchmark run
#: by hand meanwhile cannot overwrite the numbers being reported
RESULTS = Path(os.environ.get("BENCH_RESULTS_DIR") or REPO / "bench" / "results")
SHARED = REPO / ".." / "shared"
PG_ADMIN_URL = os.environ.get("BENCH_PG", "postgresql://root@127.0.0.1:5432")

LIBRARIES = (
    "numpy",
    "scipy",
    "scikit-learn",
    "blingfire",
    "Flask",
    "flask-smorest",
    "Werkzeug",
    "SQLAlchemy",
    "psycopg",
    "gunicorn",
    "statsmodels",
)


def exit_on_sigterm() -> None:
    """Turn SIGTERM (run_all's time limit) into SystemExit, so ``finally`` blocks stop servers."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def load_average() -> float:
    """1-minute load average: recorded with every figure, since other work on the machine skews it."""
    return round(os.getloadavg()[0], 2)


def machine() -> dict[str, Any]:
    """Cores, memory, CPU model, OS, Python and library versions: the context every number needs."""
    meminfo = _proc_kv("/proc/meminfo")
    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(meminfo.get("MemTotal", 0) / 2**20, 1),
        "cpu_model": cpu_model,
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "libraries": versions,
        "postgresql": postgres_version(),
        "wrk": wrk_version(),
        "load_average": load_average(),
    }


def postgres_version() -> str:
    psql = shutil.which("psql")
    if not psql:
        return "absent"
    done = subprocess.run(
        [psql, PG_ADMIN_URL + "/postgres", "-Atc", "SHOW server_version"],
        capture_output=True,
        text=True,
        timeout=10,
    )
    return done.stdout.strip() or "unreachable"


def wrk_version() -> str:
    wrk = shutil.which("wrk")
    if not wrk:
        return "absent"
    done = subprocess.run([wrk, "--version"], capture_output=True, text=True, timeout=10)
    first = (done.stdout or done.stderr).strip().splitlines()
    return first[0].split(" [")[0] if first else "present"


def _proc_kv(path: str) -> dict[str, int]:
    """``Name:   123 kB`` lines as ``{name: 123}`` (kB); empty when the file is missing."""
    out: dict[str, int] = {}
    try:
        for line in Path(path).read_text().splitlines():
            name, _, value = line.partition(":")
            parts = value.split()
            if parts and parts[0].isdigit():
                out[name] = int(parts[0])
    except OSError:
        pass
    return out


def rss_mib(pid: int | str = "self") -> dict[str, float]:
    """Current (``rss``) and peak (``hwm``) resident memory of a process in MiB."""
    status = _proc_kv(f"/proc/{pid}/status")
    return {"rss": round(status.get("VmRSS", 0) / 1024, 1), "hwm": round(status.get("VmHWM", 0) / 1024, 1)}


def cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU seconds a process has used so far (from /proc; raises OSError once it is gone)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reset_peak_rss(pid: int | str = "self") -> bool:
    """Reset the kernel's peak-RSS counter (VmHWM), so a later reading is the peak of what followed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (gunicorn workers of a master)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return sorted(out)


def scratch_name(name: str) -> str:
    """``BENCH_DB_NAME`` when set (one engineer's own database on a shared server), else ``name``."""
    return os.environ.get("BENCH_DB_NAME") or name


def database_url(name: str) -> str:
    """The SQLAlchemy URL of an existing scratch database (``BENCH_DB_NAME`` when set)."""
    return PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1) + f"/{scratch_name(name)}"


def recreate_database(name: str) -> str:
    """Drop and create a scratch PostgreSQL database; returns its SQLAlchemy URL.

    Raises ``RuntimeError`` naming what is missing, so callers can skip with a note.
    """
    import psycopg

    name = scratch_name(name)
    try:
        with psycopg.connect(PG_ADMIN_URL + "/postgres", autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        raise RuntimeError(f"PostgreSQL at {PG_ADMIN_URL} not usable: {exc}") from exc
    return database_url(name)


def drop_database(name: str) -> None:
    """Drop a scratch database; one named by ``BENCH_DB_NAME`` is left behind empty instead (it is
    also the owner's test database, which the tests expect to exist)."""
    import psycopg

    name = scratch_name(name)
    try:
        with psycopg.connect(PG_ADMIN_URL + "/postgres", autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if os.environ.get("BENCH_DB_NAME"):
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        pass


def migrate(database_url: str) -> None:
    """Build the schema with the real Alembic revisions (as ``make run`` does)."""
    env = dict(os.environ, DATABASE_URL=database_url, FRAMESCOPE_LOG_LEVEL="WARNING")
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "service", "db", "upgrade"],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


def write_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str))
    return path


def percentiles(values: Iterable[float], qs: Iterable[float] = (50, 95, 99)) -> dict[str, float]:
    """Nearest-rank percentiles (``p50``...) of ``values``; empty input gives an empty dict."""
    data = sorted(values)
    if not data:
        return {}
    out = {}
    for q in qs:
        rank = max(1, min(len(data), int(-(-q * len(data) // 100))))
        out[f"p{q:g}"] = data[rank - 1]
    return out


class Stopwatch:
    """``with Stopwatch() as sw: ...`` then ``sw.seconds`` (wall) and ``sw.cpu`` (this process)."""

    def __enter__(self) -> Stopwatch:
        self._t0, self._c0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._t0
        self.cpu = time.process_time() - self._c0
