"""/v1/events: create, read, update with ETags, delete (articles survive)."""

from tests.service.conftest import assert_problem, make_article


def test_create_read_update_delete(client):
    payload = {
        "key": "election-2026",
        "title": "General election",
        "description": "National vote",
        "starts_at": "2026-05-01T00:00:00+00:00",
        "ends_at": "2026-05-08T00:00:00+00:00",
    }
    assert client.post("/v1/events", json=payload).status_code == 201
    url = "/v1/events/election-2026"
    fetched = client.get(url)
    assert {k: fetched.get_json()[k] for k in payload} == payload
    updated = client.patch(url, json={"title": "Election"}, headers={"If-Match": fetched.headers["ETag"]})
    assert updated.get_json()["title"] == "Election"
    assert client.delete(url, headers={"If-Match": updated.headers["ETag"]}).status_code == 204
    assert_problem(client.get(url), 404)


def test_window_must_not_end_before_it_starts(client):
    response = client.post(
        "/v1/events",
        json={
            "key": "e",
            "title": "E",
            "starts_at": "2026-05-02T00:00:00Z",
            "ends_at": "2026-05-01T00:00:00Z",
        },
    )
    assert_problem(response, 422, fields={"ends_at"})
    client.post("/v1/events", json={"key": "e", "title": "E", "starts_at": "2026-05-02T00:00:00Z"})
    etag = client.get("/v1/events/e").headers["ETag"]
    response = client.patch(
        "/v1/events/e", json={"ends_at": "2026-05-01T00:00:00Z"}, headers={"If-Match": etag}
    )
    assert_problem(response, 422, fields={"ends_at"})


def test_deleting_an_event_keeps_its_articles(client):
    article = client.post("/v1/articles?create_missing=true", json=make_article(event="strike")).get_json()
    assert article["event"] == "strike"
    etag = client.get("/v1/events/strike").headers["ETag"]
    assert client.delete("/v1/events/strike", headers={"If-Match": etag}).status_code == 204
    assert client.get(f"/v1/articles/{article['id']}").get_json()["event"] is None
