"""/v1/outlets: create, read, list, update with ETags, delete."""

from tests.service.conftest import assert_problem, make_article


def test_create_and_read_back(client):
    payload = {
        "key": "the-guardian",
        "name": "The Guardian",
        "domain": "theguardian.com",
        "country": "GB",
        "language": "en",
        "metadata": {"ownership": "Scott Trust", "leaning": "centre-left"},
    }
    created = client.post("/v1/outlets", json=payload)
    assert created.status_code == 201
    fetched = client.get("/v1/outlets/the-guardian")
    assert fetched.status_code == 200
    body = fetched.get_json()
    assert {k: body[k] for k in payload} == payload
    assert fetched.headers["ETag"]


def test_duplicate_key_is_409(client, outlet):
    response = client.post("/v1/outlets", json={"key": "daily-planet", "name": "Other"})
    assert "already exists" in assert_problem(response, 409)["detail"]


def test_invalid_fields_are_named(client):
    response = client.post("/v1/outlets", json={"key": "bad key!", "country": "gb", "surprise": 1})
    assert_problem(response, 422, fields={"key", "name", "country", "surprise"})


def test_patch_needs_if_match_and_rejects_stale_etag(client, outlet):
    url = "/v1/outlets/daily-planet"
    assert_problem(client.patch(url, json={"name": "DP"}), 428)
    assert_problem(client.patch(url, json={"name": "DP"}, headers={"If-Match": '"stale"'}), 412)
    etag = client.get(url).headers["ETag"]
    response = client.patch(
        url, json={"name": "DP", "metadata": {"leaning": "left"}}, headers={"If-Match": etag}
    )
    assert response.status_code == 200
    assert response.get_json()["name"] == "DP"
    assert response.get_json()["metadata"] == {"leaning": "left"}
    assert response.headers["ETag"] != etag
    # The old tag is now stale: a lost update is refused.
    assert_problem(client.patch(url, json={"name": "X"}, headers={"If-Match": etag}), 412)


def test_delete_refused_while_articles_exist(client, outlet):
    client.post("/v1/articles", json=make_article())
    url = "/v1/outlets/daily-planet"
    etag = client.get(url).headers["ETag"]
    assert_problem(client.delete(url, headers={"If-Match": etag}), 409)


def test_delete(client, outlet):
    url = "/v1/outlets/daily-planet"
    response = client.delete(url, headers={"If-Match": client.get(url).headers["ETag"]})
    assert response.status_code == 204
    assert_problem(client.get(url), 404)


def test_list_filters_and_paginates(client):
    for i in range(5):
        client.post("/v1/outlets", json={"key": f"o{i}", "name": f"O{i}", "country": "GB" if i % 2 else "FR"})
    page = client.get("/v1/outlets?limit=2&country=FR").get_json()
    assert [o["key"] for o in page["items"]] == ["o0", "o2"]
    page = client.get(page["next"]).get_json()
    assert [o["key"] for o in page["items"]] == ["o4"]
    assert page["next"] is None
