"""API keys: scopes, both headers, 401/403 problem+json, hashed storage, CLI, admin endpoint."""

from __future__ import annotations

import pytest
from flask.views import MethodView
from sqlalchemy import select

from service.security import requires_scope
from service.storage.api_keys import ApiKey, hash_token
from tests.service.conftest import assert_problem, make_article
from tests.service.security_helpers import app_with, bearer, captured_logs, new_key


@pytest.fixture
def secured(database_url):
    """An app as deployed: every request needs a key."""
    with app_with(database_url, AUTH_REQUIRED=True) as app:
        yield app


def test_local_default_is_open_without_keys(client):
    assert client.post("/v1/articles?create_missing=true", json=make_article()).status_code == 201
    assert client.get("/v1/articles").status_code == 200


def test_local_default_still_checks_a_key_that_is_sent(client):
    body = assert_problem(client.get("/v1/articles", headers=bearer("fsk_wrong")), 401)
    assert "fsk_wrong" not in str(body)


def test_key_management_needs_admin_even_when_open(app, client):
    assert_problem(client.get("/v1/keys"), 401)
    assert_problem(client.get("/v1/keys", headers=bearer(new_key(app, "write"))), 403)
    assert client.get("/v1/keys", headers=bearer(new_key(app, "admin"))).status_code == 200


def test_missing_key_is_401_with_challenge(secured):
    client = secured.test_client()
    response = client.get("/v1/articles")
    body = assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "'read'" in body["detail"]
    assert_problem(client.post("/v1/articles", json=make_article()), 401)


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer fsk_not-a-real-key"},
        {"X-API-Key": "fsk_not-a-real-key"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer "},
        {"X-API-Key": "x" * 10_000},
    ],
)
def test_bad_key_is_401(secured, headers):
    body = assert_problem(secured.test_client().get("/v1/articles", headers=headers), 401)
    assert "not-a-real-key" not in body["detail"]


def test_scopes_read_write_admin(secured):
    client = secured.test_client()
    read, write, admin = (new_key(secured, scope) for scope in ("read", "write", "admin"))
    assert client.get("/v1/articles", headers=bearer(read)).status_code == 200
    body = assert_problem(
        client.post("/v1/outlets", json={"key": "a", "name": "A"}, headers=bearer(read)), 403
    )
    assert "'write'" in body["detail"]
    assert (
        client.post("/v1/outlets", json={"key": "a", "name": "A"}, headers=bearer(write)).status_code == 201
    )
    assert client.get("/v1/outlets/a", headers={"X-API-Key": write}).status_code == 200  # write implies read
    assert_problem(client.get("/v1/keys", headers=bearer(write)), 403)
    assert (
        client.post("/v1/outlets", json={"key": "b", "name": "B"}, headers=bearer(admin)).status_code == 201
    )


def test_anonymous_reading_when_enabled(database_url):
    with app_with(database_url, AUTH_REQUIRED=True, ANONYMOUS_READ=True) as app:
        client = app.test_client()
        assert client.get("/v1/articles").status_code == 200
        assert_problem(client.post("/v1/outlets", json={"key": "a", "name": "A"}), 401)
        assert_problem(client.get("/v1/keys"), 401)


def test_probes_and_docs_are_public(secured):
    client = secured.test_client()
    for path in ("/health", "/ready", "/v1/openapi.json", "/docs"):
        assert client.get(path).status_code == 200, path


def test_revoked_key_is_refused(secured):
    client = secured.test_client()
    admin, reader = new_key(secured, "admin"), new_key(secured, "read", name="dashboard")
    assert client.get("/v1/articles", headers=bearer(reader)).status_code == 200
    listed = client.get("/v1/keys", headers=bearer(admin)).get_json()["items"]
    reader_id = next(k["id"] for k in listed if k["name"] == "dashboard")
    revoked = client.delete(f"/v1/keys/{reader_id}", headers=bearer(admin))
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"]
    assert_problem(client.get("/v1/articles", headers=bearer(reader)), 401)
    assert_problem(client.delete("/v1/keys/999999", headers=bearer(admin)), 404)


def test_keys_endpoint_creates_a_working_key_and_stores_only_its_hash(secured, db_session):
    client = secured.test_client()
    admin = new_key(secured, "admin")
    response = client.post(
        "/v1/keys", json={"name": "ingest-bot", "scopes": ["write"]}, headers=bearer(admin)
    )
    assert response.status_code == 201
    created = response.get_json()
    token = created["token"]
    assert token.startswith(created["prefix"]) and created["scopes"] == ["write"]
    assert (
        client.post("/v1/outlets", json={"key": "z", "name": "Z"}, headers=bearer(token)).status_code == 201
    )
    row = db_session.scalars(select(ApiKey).where(ApiKey.name == "ingest-bot")).one()
    assert row.token_hash == hash_token(token) and token not in (row.token_hash, row.prefix)
    listing = client.get("/v1/keys", headers=bearer(admin)).get_data(as_text=True)
    assert token not in listing and "token" not in listing
    assert_problem(
        client.post("/v1/keys", json={"name": "x", "scopes": ["root"]}, headers=bearer(admin)),
        422,
        {"scopes"},
    )


def test_keys_are_never_logged(secured):
    client = secured.test_client()
    admin = new_key(secured, "admin")
    with captured_logs() as lines:
        created = client.post("/v1/keys", json={"name": "n", "scopes": ["read"]}, headers=bearer(admin))
        token = created.get_json()["token"]
        client.get("/v1/articles", headers={"X-API-Key": token})
        client.get("/v1/articles", headers=bearer(token + "x"))
        client.get("/v1/articles?api_key=" + token)
    assert len(lines) >= 4
    for secret in (admin, token):
        assert not any(secret in line or secret[4:] in line for line in lines)


def test_cli_creates_lists_and_revokes_keys(secured, runner):
    client = secured.test_client()
    result = secured.test_cli_runner().invoke(args=["keys", "create", "ops", "--scope", "write"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert (
        client.post("/v1/outlets", json={"key": "c", "name": "C"}, headers=bearer(token)).status_code == 201
    )
    listing = secured.test_cli_runner().invoke(args=["keys", "list"])
    assert "ops" in listing.output and token not in listing.output
    key_id = listing.output.split()[0]
    assert secured.test_cli_runner().invoke(args=["keys", "revoke", key_id]).exit_code == 0
    assert_problem(client.get("/v1/outlets", headers=bearer(token)), 401)
    assert secured.test_cli_runner().invoke(args=["keys", "revoke", "424242"]).exit_code != 0
    assert secured.test_cli_runner().invoke(args=["keys", "create", "x", "--scope", "root"]).exit_code != 0


def test_openapi_documents_the_key_schemes(client):
    spec = client.get("/v1/openapi.json").get_json()
    assert set(spec["components"]["securitySchemes"]) == {"bearerAuth", "apiKeyHeader"}
    post = spec["paths"]["/v1/articles"]["post"]
    assert {"401", "403", "429"} <= set(post["responses"])
    assert "security" not in spec["paths"]["/health"]["get"]


def test_a_view_can_ask_for_a_lower_scope(secured):
    """A POST that only computes (classification, comparison) may declare ``read``."""

    class Compute(MethodView):
        @requires_scope("read")
        def post(self):
            return {"ok": True}

        def put(self):
            return {"ok": True}

    secured.add_url_rule("/v1/compute-test", view_func=Compute.as_view("compute_test"))
    client = secured.test_client()
    reader = bearer(new_key(secured, "read"))
    assert client.post("/v1/compute-test", headers=reader).status_code == 200
    assert_problem(client.put("/v1/compute-test", headers=reader), 403)
    with pytest.raises(ValueError, match="Unknown scope"):
        requires_scope("superuser")


def test_an_open_server_says_so_at_start(database_url):
    with captured_logs("framescope.auth") as lines, app_with(database_url, TESTING=False):
        pass
    assert any("FRAMESCOPE_AUTH_REQUIRED=true" in line for line in lines)
    with captured_logs("framescope.auth") as lines, app_with(database_url, TESTING=False, AUTH_REQUIRED=True):
        pass
    assert lines == []
