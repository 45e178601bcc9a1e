"""50 identical POSTs at once against a real gunicorn (several workers and threads): one article."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from sqlalchemy import create_engine, func, select

from service.storage.tables import Article
from tests.service.conftest import make_article
from tests.service.live import live_server

N_REQUESTS = 50


def test_fifty_identical_posts_create_one_article(database_url, backend, tmp_path: Path):
    article = make_article(7, outlet="race-outlet")
    barrier = threading.Barrier(N_REQUESTS)
    with live_server(database_url, tmp_path, workers=4, threads=8) as server:
        url = server.url + "/v1/articles?create_missing=true"

        def post(_: int) -> tuple[int, int]:
            session = requests.Session()
            session.get(server.url + "/health", timeout=10)  # connect first, so the POSTs start together
            barrier.wait(timeout=30)
            response = session.post(url, json=article, timeout=60)
            return response.status_code, response.json().get("id")

        with ThreadPoolExecutor(N_REQUESTS) as pool:
            results = list(pool.map(post, range(N_REQUESTS)))
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * (N_REQUESTS - 1) + [201], results
    assert len({article_id for _, article_id in results}) == 1
    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Article)) == 1
    engine.dispose()
    print(
        f"concurrent identical POSTs on {backend}: {statuses.count(201)} x 201, {statuses.count(200)} x 200"
    )
