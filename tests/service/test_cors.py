"""CORS: closed by default; only allow-listed origins get headers, preflights need no key."""

from __future__ import annotations

import pytest

from tests.service.security_helpers import app_with

DASHBOARD = "https://dash.example.org"
PREFLIGHT = {
    "Origin": DASHBOARD,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "Authorization, Content-Type",
}


def test_closed_by_default(client):
    response = client.get("/v1/outlets", headers={"Origin": DASHBOARD})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Origin" not in client.options("/v1/outlets", headers=PREFLIGHT).headers


@pytest.fixture
def cors_app(database_url):
    with app_with(database_url, CORS_ORIGINS=[DASHBOARD], AUTH_REQUIRED=True, ANONYMOUS_READ=True) as app:
        yield app


def test_allow_listed_origin_can_read(cors_app):
    response = cors_app.test_client().get("/v1/outlets", headers={"Origin": DASHBOARD})
    assert response.headers["Access-Control-Allow-Origin"] == DASHBOARD
    exposed = response.headers["Access-Control-Expose-Headers"]
    assert "X-Request-ID" in exposed and "Retry-After" in exposed
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_preflight_needs_no_key(cors_app):
    response = cors_app.test_client().options("/v1/articles", headers=PREFLIGHT)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == DASHBOARD
    assert "authorization" in response.headers["Access-Control-Allow-Headers"].lower()


def test_errors_carry_cors_headers_so_the_browser_can_read_them(cors_app):
    response = cors_app.test_client().post("/v1/outlets", json={}, headers={"Origin": DASHBOARD})
    assert response.status_code == 401
    assert response.headers["Access-Control-Allow-Origin"] == DASHBOARD


def test_other_origins_get_nothing(cors_app):
    client = cors_app.test_client()
    response = client.get("/v1/outlets", headers={"Origin": "https://evil.example.com"})
    assert "Access-Control-Allow-Origin" not in response.headers
    evil_preflight = {**PREFLIGHT, "Origin": "https://evil.example.com"}
    assert "Access-Control-Allow-Origin" not in client.options("/v1/outlets", headers=evil_preflight).headers


def test_wildcard_is_refused(database_url):
    with pytest.raises(ValueError, match="explicitly"), app_with(database_url, CORS_ORIGINS=["*"]):
        pass


def test_origins_from_a_comma_separated_string(database_url):
    with app_with(database_url, CORS_ORIGINS=f"{DASHBOARD}, https://other.example.org") as app:
        response = app.test_client().get("/v1/outlets", headers={"Origin": "https://other.example.org"})
        assert response.headers["Access-Control-Allow-Origin"] == "https://other.example.org"
