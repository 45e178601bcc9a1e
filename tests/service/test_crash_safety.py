"""Crash safety: SIGKILL a gunicorn worker in the middle of a bulk ingest; the batch is all or none.

The worker is killed only once its transaction is writing: on PostgreSQL when its backend has an
``INSERT INTO articles`` in an open transaction; on SQLite when it holds the write lock (its
``BEGIN IMMEDIATE``), plus a varying delay so the kill lands at different points of the write phase.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import requests
from sqlalchemy import create_engine, func, select, text

from service.storage.tables import Article, Outlet
from tests.service.conftest import make_article
from tests.service.live import live_server

N_ITEMS = 3_000
KILL_DELAYS = [float(d) for d in os.environ.get("CRASH_KILL_DELAYS", "0,0.3").split(",")]
BODY_TEXT = "The council voted on the budget and critics said the plan cuts services. " * 8


def batch(run: int) -> list[dict]:
    return [
        make_article(run * N_ITEMS + i, outlet=f"crash-{run}", text=f"{BODY_TEXT} run {run} item {i}")
        for i in range(N_ITEMS)
    ]


def counts(database_url: str, run: int) -> tuple[int, int]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        n_outlets = connection.scalar(
            select(func.count()).select_from(Outlet).where(Outlet.key == f"crash-{run}")
        )
        n_articles = connection.scalar(
            select(func.count()).select_from(Article).join(Outlet).where(Outlet.key == f"crash-{run}")
        )
    engine.dispose()
    return n_outlets, n_articles


def writer_is_mid_transaction(database_url: str) -> bool:
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        connection = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:  # "database is locked": the worker holds the write lock
            return True
        finally:
            connection.close()
    engine = create_engine(database_url)
    with engine.connect() as connection:
        n = connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL "
                "AND query ILIKE 'INSERT INTO articles%'"
            )
        )
    engine.dispose()
    return bool(n)


def post_in_background(url: str, items: list[dict]) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def send() -> None:
        try:
            outcome["status"] = requests.post(url, json=items, timeout=120).status_code
        except requests.ConnectionError as exc:
            outcome["error"] = type(exc).__name__

    thread = threading.Thread(target=send)
    thread.start()
    return thread, outcome


def test_sigkill_mid_batch_stores_all_or_none(database_url, backend, tmp_path: Path):
    outcomes = []
    with live_server(database_url, tmp_path) as server:
        worker = server.wait_ready()
        endpoint = server.url + "/v1/articles/batch?create_missing=true"
        for run, delay in enumerate(KILL_DELAYS):
            thread, outcome = post_in_background(endpoint, batch(run))
            deadline = time.monotonic() + 60
            while not writer_is_mid_transaction(database_url):
                assert time.monotonic() < deadline, "the batch never started writing"
                assert thread.is_alive(), f"finished before writing was seen: {outcome}"
                time.sleep(0.005)
            time.sleep(delay)
            os.kill(worker, signal.SIGKILL)
            thread.join(timeout=60)
            n_outlets, n_articles = counts(database_url, run)
            outcomes.append((delay, outcome, n_articles))
            assert (n_outlets, n_articles) in {(0, 0), (1, N_ITEMS)}, outcomes
            if "error" in outcome:  # killed before answering: nothing may be stored
                assert (n_outlets, n_articles) == (0, 0), outcomes
            else:
                assert outcome["status"] == 201 and n_articles == N_ITEMS, outcomes
            worker = server.wait_ready(exclude={worker})

        # The server recovered and the refused batch can simply be sent again.
        retry = requests.post(endpoint, json=batch(0), timeout=120)
        assert retry.status_code in (200, 201)
        assert counts(database_url, 0) == (1, N_ITEMS)
    assert any("error" in outcome for _, outcome, _ in outcomes), outcomes
    print(f"crash runs on {backend}: {outcomes}")
