"""Input limits: each refusal is 413/422 problem+json naming the setting; no body reaches a 500."""

from __future__ import annotations

import pytest

from tests.service.conftest import assert_problem, make_article
from tests.service.security_helpers import app_with


@pytest.fixture
def tight(database_url):
    limits = {"MAX_TEXT_CHARS": 200, "MAX_BATCH_ITEMS": 3, "PAGE_SIZE_MAX": 10, "MAX_CONTENT_LENGTH": 20_000}
    with app_with(database_url, MAX_JSON_DEPTH=8, **limits) as app:
        yield app.test_client()


def test_text_length(tight):
    response = tight.post("/v1/articles?create_missing=true", json=make_article(text="word " * 50))
    body = assert_problem(response, 422, {"text"})
    assert "FRAMESCOPE_MAX_TEXT_CHARS" in body["errors"][0]["detail"]
    assert (
        tight.post("/v1/articles?create_missing=true", json=make_article(text="word " * 30)).status_code
        == 201
    )


def test_items_per_batch(tight):
    items = [make_article(i) for i in range(4)]
    body = assert_problem(tight.post("/v1/articles/batch?create_missing=true", json=items), 422)
    assert "FRAMESCOPE_MAX_BATCH_ITEMS" in body["errors"][0]["detail"]


def test_body_size(tight):
    items = [make_article(i, text="word " * 39) for i in range(3)]
    items[0]["title"] = "x" * 25_000
    body = assert_problem(tight.post("/v1/articles/batch", json=items), 413)
    assert "FRAMESCOPE_MAX_CONTENT_LENGTH" in body["detail"]


def test_page_size(tight):
    body = assert_problem(tight.get("/v1/articles?limit=11"), 422, {"limit"})
    assert "FRAMESCOPE_PAGE_SIZE_MAX" in body["errors"][0]["detail"]
    assert tight.get("/v1/articles?limit=10").status_code == 200


@pytest.mark.parametrize("depth", [9, 5_000, 200_000])
def test_deep_nesting(tight, depth):
    """Python's JSON parser recurses per level: 5,000 levels was a RecursionError (500) before."""
    tight.application.config["MAX_CONTENT_LENGTH"] = 10_000_000
    body = "[" * depth + "]" * depth
    problem = assert_problem(
        tight.post("/v1/articles/batch", data=body, content_type="application/json"), 422
    )
    assert "FRAMESCOPE_MAX_JSON_DEPTH" in problem["errors"][0]["detail"]
    nested = '{"a":' * depth + "1" + "}" * depth
    ndjson = f'{{"outlet": "x"}}\n{nested}\n'
    assert_problem(tight.post("/v1/articles/batch", data=ndjson, content_type="application/x-ndjson"), 422)


def test_nested_metadata_within_the_limit_is_stored(tight):
    metadata = {"a": {"b": {"c": [1, [2, [3]]]}}}
    response = tight.post("/v1/outlets", json={"key": "o", "name": "O", "metadata": metadata})
    assert response.status_code == 201 and response.get_json()["metadata"] == metadata


@pytest.mark.parametrize(
    "raw",
    [
        '{"key": "o", "name": "O", "metadata": {"x": NaN}}',
        '{"key": "o", "name": "O", "metadata": {"x": Infinity}}',
        '{"key": "o", "name": "O", "metadata": {"x": ' + "9" * 5_000 + "}}",
        b'{"key": "o", "name": "\xff"}',
    ],
)
def test_not_quite_json_is_400(tight, raw):
    """NaN/Infinity are not JSON (PostgreSQL refuses them); huge integers were a ValueError (500)."""
    response = tight.post("/v1/outlets", data=raw, content_type="application/json")
    assert_problem(response, 400)


@pytest.mark.parametrize("path", ["/v1/articles/", "/v1/keys/"])
def test_ids_beyond_64_bits_are_404(client, app, path):
    """Found by schemathesis: a 20-digit id reached the SQLite driver (OverflowError, 500)."""
    from tests.service.security_helpers import bearer, new_key

    headers = bearer(new_key(app, "admin"))
    assert_problem(client.get(path + "9223372036854775807", headers=headers), 404)
    assert_problem(client.get(path + "15645057350476462080", headers=headers), 404)
    assert_problem(client.delete(path + "329047384924599609196544", headers=headers), 404)


@pytest.mark.parametrize(
    ("path", "body", "field", "index"),
    [
        ("/v1/outlets", {"key": "o", "name": "O\u0000x"}, "name", None),
        ("/v1/outlets", {"key": "o", "name": "O", "metadata": {"a\u0000": 1}}, "metadata.a\\u0000", None),
        ("/v1/articles/batch", [make_article(0), make_article(1, text="a\u0000b")], "text", 1),
    ],
)
def test_nul_characters_are_422(client, path, body, field, index):
    """Found by schemathesis on PostgreSQL, which cannot store U+0000 in text (was a 500)."""
    problem = assert_problem(client.post(path, json=body), 422, {field})
    assert problem["errors"][0].get("index") == index
    assert "NUL" in problem["errors"][0]["detail"]


@pytest.mark.parametrize("path", ["/v1/outlets/a%00b", "/v1/events/x%00"])
def test_nul_in_a_url_key_is_404(client, path):
    """PostgreSQL cannot compare text holding U+0000: these were 500s there."""
    assert_problem(client.get(path), 404)
    assert_problem(client.patch(path, json={"name": "x"}, headers={"If-Match": '"x"'}), 404)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/articles?create_missing=true", make_article(text="word " * 50), "text"),
        ("/v1/articles/batch?create_missing=true", [make_article(text="word " * 50)], "text"),
        ("/v1/classify", {"title": "Long", "text": "word " * 50}, "text"),
        ("/v1/classify", [{"text": "Short text here."}, {"text": "word " * 50}], "text"),
        (
            "/v1/compare",
            {"articles": [{"outlet": "a", "text": "word " * 50}, {"outlet": "b", "text": "Tanks."}]},
            "articles.text",
        ),
    ],
)
def test_one_text_limit_one_status_everywhere(tight, path, body, field):
    """A text over MAX_TEXT_CHARS is a 422 naming the field, whether it is stored or only classified."""
    problem = assert_problem(tight.post(path, json=body), 422, {field})
    assert "FRAMESCOPE_MAX_TEXT_CHARS" in problem["errors"][0]["detail"]


def test_limits_are_config_defaults(app):
    from service.config import DEFAULTS

    for name in ("MAX_TEXT_CHARS", "MAX_BATCH_ITEMS", "MAX_CLASSIFY_CHARS", "VOCABULARY_CHARS"):
        assert app.config[name] == DEFAULTS[name]
    assert app.config["COMPARISON_RESAMPLES"] == DEFAULTS["COMPARISON_RESAMPLES"] == 9_999


def test_compare_articles_and_min_articles_follow_max_batch_items(tight):
    one = {"outlet": "a", "text": "Tanks advanced on the town."}
    body = assert_problem(tight.post("/v1/compare", json={"articles": [one] * 4}), 422, {"articles"})
    assert "FRAMESCOPE_MAX_BATCH_ITEMS" in body["errors"][0]["detail"]
    assert_problem(
        tight.post("/v1/compare", json={"articles": [one] * 2, "min_articles": 4}), 422, {"min_articles"}
    )
