"""The client against a real gunicorn server on a socket: upload, compare, export, and real 429s."""

from __future__ import annotations

import pandas as pd
import pytest

from framescope import Client
from tests.client.conftest import EVENT, sample_articles
from tests.service.live import live_server

pytestmark = pytest.mark.slow


def test_client_against_gunicorn(database_url, tmp_path):
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        import time

        time.sleep(seconds)

    with live_server(database_url, tmp_path, RATELIMIT_APPLICATION="6 per 2 seconds") as server:
        client = Client(server.url, progress=False, sleep=sleep, max_retry_wait=10)
        result = client.articles.upload(sample_articles(), create_missing=True, batch_size=8)
        assert result.n_created == 20
        comparison = client.event_comparison(EVENT, group_by="type")
        assert set(comparison.groups["group"]) == {"independent", "state-aligned"}
        path = tmp_path / "export.csv"
        client.articles.export(path, event=EVENT)
        assert len(pd.read_csv(path)) == 20
        for _ in range(8):  # over 6 requests in 2 s: 429s, retried after Retry-After
            assert client.health() == {"status": "ok"} and client.outlets.list().shape[0] == 4
        assert waits and all(0 < wait <= 10 for wait in waits)
        client.close()
