"""/v1/limits reports the limits in force, so clients can size batches before the server refuses them."""

from tests.conftest import make_test_app


def test_limits_follow_the_configuration(database_url):
    settings = {"MAX_BATCH_ITEMS": 7, "PAGE_SIZE_MAX": 20, "RATELIMIT_APPLICATION": "9 per minute"}
    app = make_test_app(database_url, **settings)
    body = app.test_client().get("/v1/limits").get_json()
    assert body["max_batch_items"] == 7 and body["page_size_max"] == 20
    assert body["rate_limit"] == "9 per minute"
    assert body["max_content_length"] == app.config["MAX_CONTENT_LENGTH"]
    assert {"max_json_values", "max_text_chars", "max_classify_chars"} <= body.keys()
    app.extensions["framescope"]["engine"].dispose()


def test_limits_need_the_read_scope_when_keys_are_required(database_url):
    app = make_test_app(database_url, AUTH_REQUIRED=True)
    assert app.test_client().get("/v1/limits").status_code == 401
    app.extensions["framescope"]["engine"].dispose()
