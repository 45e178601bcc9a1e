"""Every failure is RFC 9457 problem+json; 500s are logged with the request id, never leaked."""

import json
import logging

import pytest

from service.logs import JsonFormatter
from tests.service.conftest import assert_problem, make_article


def test_malformed_json_is_400(client):
    body = assert_problem(
        client.post("/v1/articles", data='{"title": ', content_type="application/json"), 400
    )
    assert body["detail"] == "The request body is not valid JSON."


def test_empty_json_body_is_400(client):
    body = assert_problem(client.post("/v1/outlets", data=" ", content_type="application/json"), 400)
    assert "empty" in body["errors"][0]["detail"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_wrong_content_type_is_415(client, content_type):
    response = client.post("/v1/articles", data=json.dumps(make_article()), content_type=content_type)
    assert "application/json" in assert_problem(response, 415)["detail"]


def test_oversized_body_is_413(app, client, db_session):
    app.config["MAX_CONTENT_LENGTH"] = 2_000
    items = [make_article(i) for i in range(50)]
    body = assert_problem(client.post("/v1/articles/batch?create_missing=true", json=items), 413)
    assert "2000-byte limit" in body["detail"]


@pytest.mark.parametrize("path", ["/nope", "/v1/nope", "/v1/articles/999999", "/v1/outlets/missing"])
def test_unknown_resource_is_404(client, path):
    assert_problem(client.get(path), 404)


def test_wrong_method_is_405_with_allow_header(client):
    response = client.put("/v1/articles")
    assert_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_validation_errors_name_location_and_field(client):
    body = assert_problem(
        client.post("/v1/articles", json={"title": 3}), 422, fields={"outlet", "title", "text"}
    )
    assert {e["location"] for e in body["errors"]} == {"json"}
    assert {e["pointer"] for e in body["errors"]} == {"/outlet", "/title", "/text"}


def test_unexpected_error_is_a_logged_500_without_traceback(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logging.getLogger("framescope.errors").addHandler(handler)
    try:
        response = client.get("/boom", headers={"X-Request-ID": "trace-me-123"})
    finally:
        logging.getLogger("framescope.errors").removeHandler(handler)
    body = assert_problem(response, 500)
    assert response.headers["X-Request-ID"] == "trace-me-123" == body["request_id"]
    assert "secret internal detail" not in response.get_data(as_text=True)
    [record] = records
    assert record.exc_info[0] is RuntimeError
    with app.test_request_context():
        from flask import g

        g.request_id = "trace-me-123"
        line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "trace-me-123"
    assert "secret internal detail" in line["exception"]


def test_request_id_is_generated_when_missing_or_unsafe(client):
    generated = client.get("/health").headers["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/health", headers={"X-Request-ID": "bad id;x"}).headers["X-Request-ID"] != "bad id;x"


def test_access_log_is_json_with_request_id(app, client):
    records = []
    handler = logging.Handler()
    handler.setFormatter(JsonFormatter())
    handler.emit = lambda record: records.append(handler.format(record))
    logging.getLogger("framescope.access").addHandler(handler)
    try:
        client.get("/health", headers={"X-Request-ID": "abc"})
    finally:
        logging.getLogger("framescope.access").removeHandler(handler)
    line = json.loads(records[-1])
    assert (line["request_id"], line["method"], line["path"], line["status"]) == (
        "abc",
        "GET",
        "/health",
        200,
    )
    assert line["level"] == "INFO" and "duration_ms" in line


def test_domain_errors_map_to_their_status(app, client):
    """Library exceptions (classifiers, comparison, storage) become problem+json via one table."""
    from service.errors import DOMAIN_ERRORS

    cases = list(DOMAIN_ERRORS.items())

    @app.get("/raise/<int:n>")
    def raise_domain_error(n):
        cls = cases[n][0]
        raise cls([]) if cls.__name__ == "InvalidItemsError" else cls("domain rule broken")

    names = {cls.__name__ for cls, _ in cases}
    assert {"NotFoundError", "ConflictError", "InvalidItemsError"} <= names
    for n, (_cls, status) in enumerate(cases):
        assert_problem(client.get(f"/raise/{n}"), status)
