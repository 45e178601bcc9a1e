"""Rate limits: per key, 429 problem+json with Retry-After, shared through Redis across workers."""

from __future__ import annotations

import os
import random

import pytest

from tests.service.conftest import assert_problem
from tests.service.security_helpers import app_with, bearer, new_key


def test_over_the_limit_is_429_with_retry_after(database_url):
    with app_with(database_url, RATELIMIT_APPLICATION="3 per minute") as app:
        client = app.test_client()
        assert [client.get("/v1/outlets").status_code for _ in range(3)] == [200, 200, 200]
        response = client.get("/v1/events")  # the limit spans all routes
        body = assert_problem(response, 429)
        assert 0 < int(response.headers["Retry-After"]) <= 60
        assert "3 per 1 minute" in body["detail"]
        assert response.headers["X-RateLimit-Remaining"] == "0"


def test_each_key_has_its_own_budget(database_url):
    with app_with(database_url, AUTH_REQUIRED=True, RATELIMIT_APPLICATION="2 per minute") as app:
        client = app.test_client()
        first, second = new_key(app, "read"), new_key(app, "read")
        assert [client.get("/v1/outlets", headers=bearer(first)).status_code for _ in range(3)] == [
            200,
            200,
            429,
        ]
        assert client.get("/v1/outlets", headers=bearer(second)).status_code == 200


def test_probes_and_preflights_are_not_counted(database_url):
    with app_with(database_url, RATELIMIT_APPLICATION="1 per minute") as app:
        client = app.test_client()
        for _ in range(5):
            assert client.get("/health").status_code == 200
            assert client.get("/v1/openapi.json").status_code == 200
        assert client.get("/v1/outlets").status_code == 200
        assert client.get("/v1/outlets").status_code == 429


def test_limits_can_be_switched_off(database_url):
    with app_with(database_url, RATELIMIT_APPLICATION="1 per minute", RATELIMIT_ENABLED=False) as app:
        client = app.test_client()
        assert {client.get("/v1/outlets").status_code for _ in range(3)} == {200}


@pytest.fixture
def redis_url():
    """The test settings' Redis (``TEST_REDIS_URL``); nothing is flushed, so a shared Redis is safe.

    Tests isolate themselves by client address instead: counts live under keys of their own.
    """
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set")
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis at {url} is not reachable")
    return url


def test_redis_shares_counts_between_workers(database_url, redis_url):
    """Two apps stand for two gunicorn workers: with REDIS_URL they draw from one budget."""
    limit = "3 per minute"
    header = {"X-Forwarded-For": "ignored"}
    octets = random.SystemRandom().getrandbits(24).to_bytes(3, "big")
    address = "10." + ".".join(str(b) for b in octets)  # a fresh budget, whatever Redis already holds
    with (
        app_with(database_url, REDIS_URL=redis_url, RATELIMIT_APPLICATION=limit) as one,
        app_with(database_url, REDIS_URL=redis_url, RATELIMIT_APPLICATION=limit) as two,
    ):
        assert one.config["RATELIMIT_STORAGE_URI"] == redis_url
        env = {"REMOTE_ADDR": address}
        codes = [
            app.test_client().get("/v1/outlets", headers=header, environ_base=env).status_code
            for app in (one, two, one, two)
        ]
    assert codes == [200, 200, 200, 429]


def test_unreachable_redis_falls_back_to_memory(database_url):
    from tests.service.live import free_port

    dead = f"redis://127.0.0.1:{free_port()}/0"
    with app_with(database_url, REDIS_URL=dead, RATELIMIT_APPLICATION="2 per minute") as app:
        client = app.test_client()
        assert [client.get("/v1/outlets").status_code for _ in range(3)] == [200, 200, 429]
