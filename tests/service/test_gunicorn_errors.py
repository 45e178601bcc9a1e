"""Requests that gunicorn refuses before the app (too long, too many headers) are problem+json too."""

from __future__ import annotations

import shutil

import pytest
import requests

from tests.service.live import live_server


@pytest.fixture(scope="module")
def server(sqlite_template, tmp_path_factory):
    directory = tmp_path_factory.mktemp("gunicorn-errors")
    shutil.copy(sqlite_template, directory / "db.sqlite3")
    with live_server(f"sqlite:///{directory / 'db.sqlite3'}", directory) as live:
        yield live


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/v1/articles?outlet=" + "x" * 5_000, {}, 414),  # found by schemathesis (long query string)
        ("/v1/articles", {"X-Big": "y" * 9_000}, 431),
        ("/v1/articles", {f"X-H{i}": "z" for i in range(120)}, 431),
    ],
)
def test_refused_by_gunicorn_as_problem_json(server, path, headers, status):
    response = requests.get(server.url + path, headers=headers, timeout=10)
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = response.json()
    assert body["status"] == status and body["request_id"] == response.headers["X-Request-ID"]


def test_worker_keeps_serving_afterwards(server):
    assert requests.get(server.url + "/v1/articles", timeout=10).status_code == 200
