"""/v1/articles: ingest round trip, deduplication, filters, pagination, PATCH/DELETE."""

import hashlib

from tests.service.conftest import assert_problem, make_article


def test_round_trip(client, outlet):
    payload = make_article(1, text="  Strikers marched   on Monday.\nThe union said pay talks had failed. ")
    created = client.post("/v1/articles", json=payload)
    assert created.status_code == 201
    body = created.get_json()
    assert created.headers["Location"].endswith(f"/v1/articles/{body['id']}")
    fetched = client.get(f"/v1/articles/{body['id']}").get_json()
    assert fetched == body
    for name in ("outlet", "title", "text", "url", "language"):
        assert fetched[name] == payload[name]
    assert fetched["published_at"] == "2026-03-01T09:00:00+00:00"
    assert fetched["word_count"] == 11
    normalised = "strikers marched on monday. the union said pay talks had failed."
    assert fetched["content_hash"] == hashlib.sha256(normalised.encode()).hexdigest()


def test_unknown_outlet_is_422_unless_create_missing(client):
    assert_problem(
        client.post("/v1/articles", json=make_article(event="e1")), 422, fields={"outlet", "event"}
    )
    response = client.post("/v1/articles?create_missing=true", json=make_article(event="e1"))
    assert response.status_code == 201
    assert client.get("/v1/outlets/daily-planet").get_json()["name"] == "daily-planet"
    assert client.get("/v1/events/e1").get_json()["title"] == "e1"


def test_same_url_is_one_article(client, outlet):
    first = client.post("/v1/articles", json=make_article(1))
    again = client.post(
        "/v1/articles",
        json=make_article(1, text="A corrected text.", url="HTTPS://Planet.Example.com/news/1#top"),
    )
    assert again.status_code == 200
    assert again.get_json() == first.get_json()  # the stored article, unchanged


def test_same_normalised_text_in_one_outlet_is_one_article(client, outlet):
    first = client.post("/v1/articles", json=make_article(1, text="Rain fell on the city."))
    again = client.post("/v1/articles", json=make_article(2, text="  RAIN fell on\tthe city. "))
    assert again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]


def test_same_text_in_another_outlet_is_another_article(client, outlet):
    client.post("/v1/articles", json=make_article(1, text="Wire copy."))
    other = client.post(
        "/v1/articles?create_missing=true", json=make_article(2, outlet="other", text="Wire copy.")
    )
    assert other.status_code == 201


def test_article_without_url(client, outlet):
    response = client.post("/v1/articles", json=make_article(1, url=None))
    assert response.status_code == 201
    assert response.get_json()["url"] is None


def test_invalid_fields_are_all_named(client, outlet):
    bad = {
        "outlet": "daily-planet",
        "title": "",  # no title: accepted (titles are optional)
        "text": "   ",
        "url": "ftp://x",
        "published_at": "yesterday",
        "language": "English",
        "extra": True,
    }
    assert_problem(
        client.post("/v1/articles", json=bad),
        422,
        fields={"text", "url", "published_at", "language", "extra"},
    )


def test_filters(client):
    client.post(
        "/v1/articles?create_missing=true",
        json=make_article(1, event="e1", published_at="2026-01-01T00:00:00Z"),
    )
    client.post("/v1/articles?create_missing=true", json=make_article(2, published_at="2026-02-01T00:00:00Z"))
    client.post(
        "/v1/articles?create_missing=true",
        json=make_article(3, outlet="other", published_at="2026-03-01T00:00:00Z"),
    )
    client.post("/v1/articles?create_missing=true", json=make_article(4, language="de", published_at=None))

    def ids(query):
        response = client.get(f"/v1/articles?{query}")
        assert response.status_code == 200, response.get_json()
        return [a["url"].rsplit("/", 1)[1] for a in response.get_json()["items"]]

    assert ids("") == ["1", "2", "3", "4"]
    assert ids("outlet=other") == ["3"]
    assert ids("event=e1") == ["1"]
    assert ids("published_from=2026-02-01T00:00:00Z") == ["2", "3"]
    assert ids("published_to=2026-02-01T00:00:00Z") == ["1"]  # exclusive upper bound
    assert ids("published_from=2026-01-15T00:00:00%2B01:00&published_to=2026-02-15T00:00:00Z") == ["2"]
    assert ids("language=de") == ["4"]
    assert ids("outlet=nobody") == []


def test_bad_filters_are_named(client):
    response = client.get("/v1/articles?limit=0&cursor=nonsense&outlet=%20")
    assert_problem(response, 422, fields={"limit", "cursor", "outlet"})
    response = client.get(
        "/v1/articles?published_from=2026-02-01T00:00:00Z&published_to=2026-01-01T00:00:00Z"
    )
    assert_problem(response, 422, fields={"published_to"})


def test_cursor_pagination_walks_every_article_once(client):
    client.post("/v1/articles/batch?create_missing=true", json=[make_article(i) for i in range(23)])
    seen, url, pages = [], "/v1/articles?limit=5&outlet=daily-planet", 0
    while url:
        response = client.get(url)
        page = response.get_json()
        seen += [a["id"] for a in page["items"]]
        if page["next"]:
            assert response.headers["Link"] == f'<{page["next"]}>; rel="next"'
            assert "outlet=daily-planet" in page["next"]
        url, pages = page["next"], pages + 1
    assert pages == 5
    assert seen == sorted(seen) and len(set(seen)) == 23


def test_pagination_is_stable_under_concurrent_inserts(client, outlet):
    client.post("/v1/articles/batch", json=[make_article(i) for i in range(4)])
    first = client.get("/v1/articles?limit=2").get_json()
    client.post("/v1/articles/batch", json=[make_article(i) for i in range(4, 6)])
    second = client.get(first["next"]).get_json()
    assert [a["id"] for a in first["items"] + second["items"]] == [1, 2, 3, 4]


def test_patch_updates_and_recomputes_derived_fields(client, outlet):
    article = client.post("/v1/articles?create_missing=true", json=make_article(1)).get_json()
    url = f"/v1/articles/{article['id']}"
    etag = client.get(url).headers["ETag"]
    response = client.patch(
        url,
        json={"text": "Brand new words here.", "event": "e9", "published_at": None},
        headers={"If-Match": etag},
    )
    assert_problem(response, 422, fields={"event"})  # unknown event key in a PATCH: nothing changes
    assert client.get(url).get_json() == article
    client.post("/v1/events", json={"key": "e9", "title": "E9"})
    response = client.patch(
        url,
        json={"text": "Brand new words here.", "event": "e9", "published_at": None},
        headers={"If-Match": etag},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["word_count"], body["event"], body["published_at"]) == (4, "e9", None)
    assert body["content_hash"] != article["content_hash"]


def test_patch_into_a_duplicate_is_409(client, outlet):
    client.post("/v1/articles", json=make_article(1))
    second = client.post("/v1/articles", json=make_article(2)).get_json()
    url = f"/v1/articles/{second['id']}"
    response = client.patch(
        url, json={"url": make_article(1)["url"]}, headers={"If-Match": client.get(url).headers["ETag"]}
    )
    assert_problem(response, 409)


def test_delete(client, outlet):
    article = client.post("/v1/articles", json=make_article(1)).get_json()
    url = f"/v1/articles/{article['id']}"
    assert_problem(client.delete(url), 428)
    assert client.delete(url, headers={"If-Match": client.get(url).headers["ETag"]}).status_code == 204
    assert_problem(client.get(url), 404)
    # A deleted article can be ingested again.
    assert client.post("/v1/articles", json=make_article(1)).status_code == 201
