"""Headers a client acts on: ``Retry-After`` only where retrying later is the advice (429, 503)."""

from __future__ import annotations

from tests.service.conftest import assert_problem, make_article
from tests.service.security_helpers import app_with


def test_successful_answers_carry_no_retry_after(client):
    created = client.post("/v1/articles?create_missing=true", json=make_article(1))
    assert created.status_code == 201
    listed = client.get("/v1/articles")
    assert listed.status_code == 200
    for response in (created, listed):
        assert "Retry-After" not in response.headers
        assert response.headers["X-RateLimit-Remaining"]  # the limit headers themselves stay


def test_client_errors_carry_no_retry_after(client):
    response = client.get("/v1/articles?limit=0")
    assert_problem(response, 422, {"limit"})
    assert "Retry-After" not in response.headers


def test_rate_limited_answer_keeps_retry_after(database_url):
    with app_with(database_url, RATELIMIT_APPLICATION="1 per minute") as app:
        client = app.test_client()
        assert client.get("/v1/outlets").status_code == 200
        response = client.get("/v1/outlets")
        assert_problem(response, 429)
        assert 0 < int(response.headers["Retry-After"]) <= 60
