"""Helpers for the service tests: payload factories and problem+json assertions."""

from __future__ import annotations

from typing import Any

import pytest

PROBLEM = "application/problem+json"


def make_article(i: int = 0, **overrides: Any) -> dict[str, Any]:
    """A small valid article; ``i`` makes URL and text unique."""
    article = {
        "outlet": "daily-planet",
        "title": f"Council approves budget {i}",
        "text": f"The council voted {i} times on the budget. Critics said the plan cuts services.",
        "url": f"https://planet.example.com/news/{i}",
        "published_at": "2026-03-01T09:00:00Z",
        "language": "en",
    }
    article.update(overrides)
    return article


def assert_problem(response: Any, status: int, fields: set[str] | None = None) -> dict[str, Any]:
    """Status, media type and RFC 9457 members; ``fields`` must be exactly the fields named in ``errors``."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status
    assert {"type", "title", "status", "instance", "request_id"} <= body.keys()
    assert body["request_id"] == response.headers["X-Request-ID"]
    assert "Traceback" not in response.get_data(as_text=True)
    if fields is not None:
        assert {e["field"] for e in body["errors"]} == fields, body["errors"]
    return body


@pytest.fixture
def outlet(client) -> dict[str, Any]:
    response = client.post(
        "/v1/outlets", json={"key": "daily-planet", "name": "Daily Planet", "country": "US"}
    )
    assert response.status_code == 201
    return response.get_json()
