"""Issue 16: strict JSON, bounded bodies, failed-auth limits and the keyless laptop defaults.

Each test is one row of the issue's table; every refusal is problem+json naming the field.
"""

from __future__ import annotations

import base64
import json
import os
import resource
import time

import pytest

from service.hardening import count_json_values
from service.storage import api_keys
from tests.service.conftest import assert_problem, make_article
from tests.service.security_helpers import app_with, bearer, new_key

TEXT = "Officials said the talks would continue on Monday. Both sides reported progress on the ceasefire."


def post_raw(client, url: str, body: str | bytes):
    return client.post(url, data=body, content_type="application/json")


# -- strict JSON in --------------------------------------------------------------------------------


def test_non_finite_number_in_metadata_is_422_naming_it(client):
    body = '{"key": "inf-outlet", "name": "Inf", "metadata": {"a": 1e400}}'
    problem = assert_problem(post_raw(client, "/v1/outlets", body), 422, {"metadata.a"})
    assert "finite" in problem["errors"][0]["detail"]
    assert client.get("/v1/outlets").get_json()["items"] == []  # nothing stored


@pytest.mark.parametrize("field", ["title", "text"])
def test_lone_surrogate_is_422_naming_the_field(client, field):
    payload = {"title": "Talks", "text": TEXT}
    body = json.dumps(payload).replace(json.dumps(payload[field]), '"\\ud800 ' + payload[field] + '"')
    assert_problem(post_raw(client, "/v1/classify", body), 422, {field})


def test_lone_surrogate_in_a_batch_names_index_and_field(client, outlet):
    body = json.dumps([make_article(0), make_article(1)]).replace('"Council approves budget 1"', '"\\udfff"')
    problem = assert_problem(post_raw(client, "/v1/articles/batch", body), 422, {"title"})
    assert problem["errors"][0]["index"] == 1


@pytest.mark.parametrize("number", ["9223372036854775808", "9" * 40, "18446744073709551616"])
def test_cursor_past_the_id_range_is_422(client, number):
    cursor = base64.urlsafe_b64encode(f"after:{number}".encode()).decode().rstrip("=")
    assert_problem(client.get(f"/v1/outlets?cursor={cursor}"), 422, {"cursor"})


def test_largest_id_cursor_is_accepted(client):
    cursor = base64.urlsafe_b64encode(f"after:{2**63 - 1}".encode()).decode().rstrip("=")
    assert client.get(f"/v1/outlets?cursor={cursor}").status_code == 200


@pytest.mark.parametrize(
    "query",
    ["frame=diplomacy-negotiation&model_version=a%00b", "outlet=a%00b", "language=e%00n", "x%00y=1"],
)
def test_nul_in_any_query_argument_is_422_naming_it(client, query):
    problem = assert_problem(client.get(f"/v1/articles?{query}"), 422)
    assert problem["errors"][0]["location"] == "query"
    assert problem["errors"][0]["field"] == query.split("=")[-2].split("&")[-1].replace("%00", "\\u0000")


@pytest.mark.parametrize("key", ["nl-key\n", "key\r\n", "k" * 64 + "\n"])
def test_keys_must_match_in_full(client, key):
    assert_problem(client.post("/v1/outlets", json={"key": key, "name": "N"}), 422, {"key"})
    assert_problem(client.post("/v1/events", json={"key": key, "title": "T"}), 422, {"key"})


def test_article_language_must_match_in_full(client):
    article = {"outlet": "k", "title": "T", "text": "Troops advanced on the town.", "language": "en\n"}
    assert_problem(client.post("/v1/articles?create_missing=true", json=article), 422, {"language"})


def test_country_code_must_match_in_full(client):
    assert_problem(
        client.post("/v1/outlets", json={"key": "k", "name": "N", "country": "GB\n"}), 422, {"country"}
    )


# -- memory bounded by the limits ------------------------------------------------------------------


def test_metadata_over_its_size_limit_is_422(client):
    big = {"notes": "x" * 20_000}
    problem = assert_problem(client.post("/v1/outlets", json={"key": "k", "name": "N", "metadata": big}), 422)
    assert {e["field"] for e in problem["errors"]} == {"metadata"}
    assert "FRAMESCOPE_MAX_METADATA_BYTES" in problem["errors"][0]["detail"]


def test_metadata_limit_is_configurable(database_url):
    with app_with(database_url, MAX_METADATA_BYTES=100_000) as app:
        response = app.test_client().post(
            "/v1/outlets", json={"key": "k", "name": "N", "metadata": {"notes": "x" * 20_000}}
        )
        assert response.status_code == 201


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_64_mb_of_empty_objects_is_refused_before_parsing(client):
    """Issue 16: this body took a worker from 295 MB to a 3.57 GB peak."""
    body = b"[" + b"{}," * ((64 * 1024 * 1024 - 2) // 3 - 1) + b"{}]"
    before = peak_rss_mib()
    problem = assert_problem(post_raw(client, "/v1/articles/batch", body), 422)
    assert "FRAMESCOPE_MAX_JSON_VALUES" in problem["errors"][0]["detail"]
    assert peak_rss_mib() - before < 400  # the body and one copy of it, never the objects


def test_ndjson_is_counted_too(database_url):
    with app_with(database_url, MAX_JSON_VALUES=1000) as app:
        body = "\n".join(json.dumps(make_article(i)) for i in range(200))
        response = app.test_client().post(
            "/v1/articles/batch", data=body, content_type="application/x-ndjson"
        )
        assert_problem(response, 422)


def test_newlines_count_only_in_ndjson(database_url):
    """Pretty-printed JSON is not penalised for its line breaks."""
    with app_with(database_url, MAX_JSON_VALUES=1000) as app:
        body = json.dumps({"title": "A", "text": TEXT}, indent=2) + "\n" * 5000
        response = app.test_client().post("/v1/classify", data=body, content_type="application/json")
        assert response.status_code == 200


def test_commas_inside_strings_do_not_count(database_url):
    with app_with(database_url, MAX_JSON_VALUES=1000) as app:
        response = app.test_client().post("/v1/classify", json={"title": "A", "text": TEXT + ", and" * 2000})
        assert response.status_code == 200


# -- failed authentication is rate limited before any lookup ------------------------------------


def test_failed_authentication_is_limited_per_address_before_lookup(database_url, monkeypatch):
    lookups = []
    original = api_keys.find_active_key
    monkeypatch.setattr(api_keys, "find_active_key", lambda *a: lookups.append(1) or original(*a))
    with app_with(database_url, AUTH_REQUIRED=True, AUTH_FAILURE_LIMIT="5 per minute") as app:
        client = app.test_client()
        for _ in range(5):
            assert_problem(client.get("/v1/outlets", headers=bearer("fsk_guess")), 401)
        problem = assert_problem(client.get("/v1/outlets", headers=bearer("fsk_guess")), 429)
        assert "FRAMESCOPE_AUTH_FAILURE_LIMIT" in problem["detail"]
        assert_problem(client.get("/v1/outlets"), 429)  # a missing key counts as a failure too
        assert len(lookups) == 5  # nothing was looked up once over the limit
        response = client.get("/v1/outlets", headers=bearer("fsk_guess"))
        assert int(response.headers["Retry-After"]) >= 1
        other = client.get(
            "/v1/outlets", headers=bearer(new_key(app, "read")), environ_base={"REMOTE_ADDR": "10.1.1.1"}
        )
        assert other.status_code == 200  # another address is not affected


# -- keyless laptop defaults ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host", ["attacker.example", "attacker.example:8000", "192.168.1.5", "localhost.evil.org"]
)
def test_keyless_server_refuses_foreign_hosts(client, host):
    problem = assert_problem(client.get("/v1/outlets", headers={"Host": host}), 400, {"Host"})
    assert problem["errors"][0]["location"] == "headers"


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST"])
def test_keyless_server_answers_loopback_hosts(client, host):
    assert client.get("/v1/outlets", headers={"Host": host}).status_code == 200


def test_allowed_hosts_are_configurable(database_url):
    with app_with(database_url, ALLOWED_HOSTS=["framescope.example.org"]) as app:
        client = app.test_client()
        assert client.get("/health", headers={"Host": "framescope.example.org"}).status_code == 200
        assert_problem(client.get("/health", headers={"Host": "localhost"}), 400, {"Host"})


def test_server_with_keys_accepts_any_host_by_default(database_url):
    with app_with(database_url, AUTH_REQUIRED=True) as app:
        assert app.test_client().get("/health", headers={"Host": "framescope.example.org"}).status_code == 200


@pytest.mark.parametrize(("method", "url", "status"), [("get", "/health", 200), ("get", "/nope", 404)])
def test_every_answer_says_nosniff(client, method, url, status):
    response = getattr(client, method)(url)
    assert response.status_code == status
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_errors_say_nosniff_too(client):
    response = assert_problem(client.post("/v1/outlets", json={"key": "k"}), 422)
    assert response
    assert client.post("/v1/outlets", json={}).headers["X-Content-Type-Options"] == "nosniff"


def test_ready_reports_redis_when_it_is_down(database_url):
    with app_with(database_url, REDIS_URL="redis://127.0.0.1:1/0") as app:
        assert_problem(app.test_client().get("/ready"), 503, {"redis"})


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL is not set")
def test_ready_reports_redis_when_it_is_up(database_url):
    with app_with(database_url, REDIS_URL=os.environ["TEST_REDIS_URL"]) as app:
        response = app.test_client().get("/ready")
        assert response.status_code == 200 and response.get_json()["checks"]["redis"] == "ok"


def test_last_admin_key_cannot_revoke_itself(app, client):
    admin = new_key(app, "admin", name="only admin")
    own_id = client.get("/v1/keys", headers=bearer(admin)).get_json()["items"][0]["id"]
    assert_problem(client.delete(f"/v1/keys/{own_id}", headers=bearer(admin)), 409)
    assert client.get("/v1/keys", headers=bearer(admin)).status_code == 200  # still works
    second = new_key(app, "admin", name="second admin")
    assert client.delete(f"/v1/keys/{own_id}", headers=bearer(second)).status_code == 200


def test_shell_may_revoke_the_last_admin_key(app, runner):
    admin = new_key(app, "admin")
    assert admin
    assert runner.invoke(args=["keys", "revoke", "1"]).exit_code == 0


def test_errors_listed_are_capped(client):
    """A batch of 2,000 items with 5 unknown fields each: 1,000 errors listed and a count of the rest."""
    body = [{f"f{j}": 0 for j in range(5)} for _ in range(2_000)]
    problem = assert_problem(client.post("/v1/articles/batch", json=body), 422)
    assert len(problem["errors"]) <= 1_001
    assert any("more errors are not listed" in e["detail"] for e in problem["errors"])


@pytest.mark.parametrize(
    "body",
    [
        b'"' + b'a\\"' * 2_000_000,  # one unterminated string full of escaped quotes
        b'"' * 6_000_000,
        (b"1" * 299 + b",") * 20_000,
        b'"a",' * 1_500_000,
        b"\\\\" * 3_000_000,
    ],
    ids=["unterminated-escapes", "quotes", "digit-runs", "many-strings", "backslashes"],
)
def test_value_count_is_linear(body):
    """The counting pass must not rescan (a string regex with escapes took minutes on the first shape)."""
    start = time.process_time()
    count_json_values(body, 250_000)
    assert time.process_time() - start < 2.0
