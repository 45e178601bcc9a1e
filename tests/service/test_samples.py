"""The sample files used in the README and docs/api.md work against the API as documented there."""

import json
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "samples"


def post_file(client, url, name, content_type="application/json"):
    return client.post(url, data=(SAMPLES / name).read_bytes(), content_type=content_type)


def test_documented_walkthrough(client):
    assert post_file(client, "/v1/outlets", "outlet.json").status_code == 201
    assert post_file(client, "/v1/events", "event.json").status_code == 201
    one = post_file(client, "/v1/articles?create_missing=true", "article.json")
    assert one.status_code == 201
    batch = post_file(client, "/v1/articles/batch?create_missing=true", "articles.json")
    assert batch.status_code == 201
    assert (batch.get_json()["n_created"], batch.get_json()["n_existing"]) == (5, 1)
    assert batch.get_json()["items"][0] == {"index": 0, "id": one.get_json()["id"], "created": False}
    again = post_file(client, "/v1/articles/batch", "articles.ndjson", "application/x-ndjson")
    assert again.status_code == 200 and again.get_json()["n_created"] == 0
    listed = client.get("/v1/articles?outlet=valley-courier&event=riverton-transit-strike").get_json()
    assert [a["title"] for a in listed["items"]] == [
        "Drivers strike after years of falling pay",
        "Union warns rosters put passengers at risk",
    ]
    assert client.get("/v1/outlets/valley-courier").get_json()["name"] == "valley-courier"


def test_ndjson_and_json_samples_hold_the_same_articles():
    as_array = json.loads((SAMPLES / "articles.json").read_text())
    as_lines = [json.loads(line) for line in (SAMPLES / "articles.ndjson").read_text().splitlines()]
    assert as_array == as_lines
    assert json.loads((SAMPLES / "article.json").read_text()) == as_array[0]
