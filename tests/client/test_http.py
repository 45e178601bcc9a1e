"""Retries on 429/503 honour Retry-After (bounded); key and URL from arguments or the environment;
errors carry the problem+json fields. MockTransport stands in for the server where timing matters."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from framescope import (
    AuthError,
    Client,
    FramescopeConnectionError,
    Limits,
    NotFoundError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from framescope.http import retry_after_seconds
from tests.client.conftest import make_client
from tests.conftest import make_test_app


def scripted(*answers: httpx.Response) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """A transport answering in order (the last answer repeats), recording the requests."""
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers[min(len(seen) - 1, len(answers) - 1)]

    return httpx.MockTransport(handle), seen


def too_many(retry_after: str) -> httpx.Response:
    problem = {
        "type": "about:blank",
        "title": "Too Many Requests",
        "status": 429,
        "detail": "600 per 1 minute",
    }
    return httpx.Response(429, json=problem, headers={"Retry-After": retry_after})


def test_429_is_retried_after_the_seconds_the_server_asks_for():
    transport, seen = scripted(too_many("2"), too_many("3"), httpx.Response(200, json={"status": "ok"}))
    waits: list[float] = []
    client = Client(transport=transport, sleep=waits.append)
    assert client.health() == {"status": "ok"}
    assert waits == [2.0, 3.0]
    assert len(seen) == 3


def test_a_retry_after_of_zero_waits_a_second_not_zero():
    """flask-limiter rounds down: "0" while the window still has a fraction of a second to run."""
    transport, _ = scripted(too_many("0"), httpx.Response(200, json={}))
    waits: list[float] = []
    Client(transport=transport, sleep=waits.append).health()
    assert waits == [1.0]


def test_503_with_an_http_date_is_retried_until_that_time():
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    transport, _ = scripted(httpx.Response(503, headers={"Retry-After": later}), httpx.Response(200, json={}))
    waits: list[float] = []
    Client(transport=transport, sleep=waits.append).health()
    assert len(waits) == 1 and 25 <= waits[0] <= 30


def test_retries_are_bounded_and_the_last_answer_is_raised_with_its_fields():
    transport, seen = scripted(too_many("1"))
    waits: list[float] = []
    client = Client(transport=transport, sleep=waits.append, max_retries=3)
    with pytest.raises(RateLimitError) as caught:
        client.health()
    assert len(seen) == 4 and waits == [1.0, 1.0, 1.0]
    assert caught.value.status == 429 and caught.value.retry_after == 1.0
    assert caught.value.detail == "600 per 1 minute"


def test_a_retry_after_longer_than_allowed_is_reported_at_once():
    transport, seen = scripted(too_many("3600"))
    waits: list[float] = []
    with pytest.raises(RateLimitError) as caught:
        Client(transport=transport, sleep=waits.append, max_retry_wait=60).health()
    assert len(seen) == 1 and waits == []
    assert caught.value.retry_after == 3600


def test_other_errors_are_not_retried():
    transport, seen = scripted(httpx.Response(500, text="boom"))
    with pytest.raises(ServerError):
        Client(transport=transport, sleep=lambda _s: None).health()
    assert len(seen) == 1


def test_retry_after_parsing():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Thu, 01 Jan 2026 00:01:00 GMT", now=now) == 60
    assert retry_after_seconds("Wed, 31 Dec 2025 00:00:00 GMT", now=now) == 0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_key_and_url_come_from_the_environment_unless_given(monkeypatch):
    monkeypatch.setenv("FRAMESCOPE_API_KEY", "env-key")
    monkeypatch.setenv("FRAMESCOPE_URL", "http://news.example:9000/")
    transport, seen = scripted(httpx.Response(200, json={}))
    client = Client(transport=transport)
    client.health()
    assert client.base_url == "http://news.example:9000"
    assert str(seen[0].url) == "http://news.example:9000/health"
    assert seen[0].headers["Authorization"] == "Bearer env-key"
    Client("http://other.example", api_key="arg-key", transport=transport).health()
    assert str(seen[1].url) == "http://other.example/health"
    assert seen[1].headers["Authorization"] == "Bearer arg-key"


def test_default_url_and_no_key(monkeypatch):
    monkeypatch.delenv("FRAMESCOPE_API_KEY", raising=False)
    monkeypatch.delenv("FRAMESCOPE_URL", raising=False)
    transport, seen = scripted(httpx.Response(200, json={}))
    Client(transport=transport).health()
    assert str(seen[0].url) == "http://127.0.0.1:8000/health"
    assert "Authorization" not in seen[0].headers


def test_unreachable_server_is_a_connection_error_after_bounded_retries():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    waits: list[float] = []
    client = Client(f"http://127.0.0.1:{port}", sleep=waits.append, max_retries=2)
    with pytest.raises(FramescopeConnectionError) as caught:
        client.health()
    assert len(waits) == 2 and caught.value.status is None
    assert f"127.0.0.1:{port}" in str(caught.value)


def test_problem_fields_from_the_real_app(fs):
    with pytest.raises(ValidationError) as caught:
        fs.articles.create({"outlet": "nowhere", "title": "t", "text": " "})
    error = caught.value
    assert error.status == 422 and error.title and error.request_id
    assert error.instance == "/v1/articles"
    assert "text" in error.fields
    assert str(error).startswith("422 ") and error.request_id in str(error)
    with pytest.raises(NotFoundError) as missing:
        fs.outlets.get("no-such-outlet")
    assert missing.value.status == 404


def test_keys_are_sent_as_bearer_tokens(database_url):
    app = make_test_app(database_url, AUTH_REQUIRED=True)
    anonymous, _ = make_client(app, api_key="")
    with pytest.raises(AuthError) as caught:
        anonymous.outlets.list()
    assert caught.value.status == 401
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["keys", "create", "alice", "--scope", "admin"])
    token = result.stdout.strip().splitlines()[-1]
    client, transport = make_client(app, api_key=token)
    assert client.outlets.list().empty
    assert transport.requests[-1].headers["Authorization"] == f"Bearer {token}"
    created = client.keys.create(name="reader", scopes=["read"])
    reader, _ = make_client(app, api_key=created["token"])
    with pytest.raises(AuthError) as forbidden:
        reader.outlets.create(key="x", name="X")
    assert forbidden.value.status == 403
    assert client.keys.revoke(created["id"])["revoked_at"]
    app.extensions["framescope"]["engine"].dispose()


def test_next_links_to_another_address_are_followed_on_our_server():
    """Behind a proxy the server may name itself by an internal address: the page is asked of ours."""
    pages = [
        {"items": [{"id": 1}], "next": "http://10.0.0.5:8000/v1/events?cursor=abc&limit=1"},
        {"items": [{"id": 2}], "next": None},
    ]
    transport, seen = scripted(*(httpx.Response(200, json=page) for page in pages))
    client = Client("https://news.example/", api_key="k", transport=transport)
    client._limits = Limits()
    assert list(client.events.iter()) == [{"id": 1}, {"id": 2}]
    assert str(seen[1].url) == "https://news.example/v1/events?cursor=abc&limit=1"
