"""Observability: Prometheus metrics by route template, classification hooks, request ids."""

from __future__ import annotations

import json
import time

from prometheus_client.parser import text_string_to_metric_families

from service import metrics
from tests.service.conftest import make_article
from tests.service.security_helpers import app_with, bearer, captured_logs, new_key


def samples(client, **headers) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for s in family.samples
    }


def test_requests_are_counted_by_route_template(client):
    client.post("/v1/articles?create_missing=true", json=make_article(1))
    for article_id in (1, 2, 3):
        client.get(f"/v1/articles/{article_id}")
    client.get("/v1/no-such-thing")
    found = samples(client)
    route = "/v1/articles/<int:article_id>"
    labels = lambda status, r=route: (("method", "GET"), ("route", r), ("status", status))  # noqa: E731
    assert found[("framescope_http_requests_total", labels("200"))] == 1
    assert found[("framescope_http_requests_total", labels("404"))] == 2
    assert found[("framescope_http_requests_total", labels("404", "<unmatched>"))] == 1
    post = (("method", "POST"), ("route", "/v1/articles"), ("status", "201"))
    assert found[("framescope_http_requests_total", post)] == 1
    count = ("framescope_http_request_duration_seconds_count", (("method", "GET"), ("route", route)))
    assert found[count] == 3
    assert not any("/v1/articles/2" in str(key) for key in found)


def test_classification_hooks(app, client):
    with app.app_context():
        metrics.count_classifications("conflict-sparse-abc", ["ok", "ok", "insufficient_text"])
        metrics.set_model_info(version="conflict-sparse-abc", codebook="conflict", codebook_hash="1234")
    found = samples(client)
    ok = (("model_version", "conflict-sparse-abc"), ("status", "ok"))
    assert found[("framescope_classifications_total", ok)] == 2
    info = (("codebook", "conflict"), ("codebook_hash", "1234"), ("version", "conflict-sparse-abc"))
    assert found[("framescope_model_info", info)] == 1


def test_classify_and_ingest_are_counted_by_model_and_status(app, client):
    version = app.extensions["framescope"]["model"].version
    body = {"title": "Allies pledge air defence", "text": make_article(7)["text"]}
    assert client.post("/v1/classify", json=[body, {"text": "Ja."}]).status_code == 200
    assert client.post("/v1/articles?create_missing=true", json=make_article(8)).status_code == 201
    found = samples(client)
    counted = {
        labels: value for (name, labels), value in found.items() if name == "framescope_classifications_total"
    }
    assert sum(v for labels, v in counted.items() if ("model_version", version) in labels) == 3
    assert counted[(("model_version", version), ("status", "ok"))] >= 2


def test_the_loaded_model_is_published(app, client):
    model = app.extensions["framescope"]["model"]
    info = (
        ("codebook", model.codebook.key),
        ("codebook_hash", model.codebook.hash),
        ("version", model.version),
    )
    assert samples(client)[("framescope_model_info", info)] == 1


def test_each_app_has_its_own_registry(app, client, database_url):
    client.get("/v1/outlets")
    with app_with(database_url) as other:
        assert not any(name == "framescope_http_requests_total" for name, _ in samples(other.test_client()))


def test_metrics_need_read_scope_when_auth_is_required(database_url):
    with app_with(database_url, AUTH_REQUIRED=True) as app:
        client = app.test_client()
        assert client.get("/metrics").status_code == 401
        assert samples(client, **bearer(new_key(app, "read")))


def test_request_id_in_response_and_log_for_every_outcome(database_url):
    with app_with(database_url, AUTH_REQUIRED=True) as app:
        client = app.test_client()
        with captured_logs("framescope.access") as lines:
            refused = client.get("/v1/outlets", headers={"X-Request-ID": "trace-123"})
            served = client.get("/health")
        assert refused.status_code == 401
        assert refused.headers["X-Request-ID"] == "trace-123" == refused.get_json()["request_id"]
        logged = [json.loads(line) for line in lines]
        assert logged[0]["request_id"] == "trace-123" and logged[0]["status"] == 401
        assert logged[1]["request_id"] == served.headers["X-Request-ID"]


def test_gunicorn_workers_report_together(sqlite_template, tmp_path):
    """With PROMETHEUS_MULTIPROC_DIR, /metrics sums every worker (one scrape, whole server)."""
    import shutil

    import requests

    from tests.service.live import live_server

    shutil.copy(sqlite_template, tmp_path / "db.sqlite3")
    metrics_dir = tmp_path / "prom"
    metrics_dir.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    with live_server(
        f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path, workers=2, threads=2, env=env
    ) as server:
        n_sent, deadline = 0, time.monotonic() + 60
        # Until at least two workers have answered (the others may still be loading the model).
        while len(list(metrics_dir.glob("counter_*.db"))) < 2 or n_sent < 30:
            assert time.monotonic() < deadline, "only one worker ever answered"
            assert (
                requests.get(server.url + "/v1/outlets", headers={"Connection": "close"}).status_code == 200
            )
            n_sent += 1
        text = requests.get(server.url + "/metrics").text
    found = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    outlets = (("method", "GET"), ("route", "/v1/outlets"), ("status", "200"))
    assert found[("framescope_http_requests_total", outlets)] == n_sent
    assert any(name == "framescope_model_info" for name, _ in found)


def test_multiprocess_mode_follows_the_config(database_url, tmp_path, monkeypatch):
    """Only service/config.py reads the environment: the setting arrives through ``app.config``."""
    from service.metrics import get_metrics
    from tests.conftest import make_test_app

    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    on = make_test_app(database_url, PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
    off = make_test_app(database_url)
    try:
        assert get_metrics(on).multiprocess and not get_metrics(off).multiprocess
    finally:
        for app in (on, off):
            app.extensions["framescope"]["engine"].dispose()
