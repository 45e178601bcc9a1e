"""The sample files used in the README, docs/api.md and the OpenAPI examples work against the API as
documented there, and show the conflict codebook at work (invented war coverage)."""

import csv
import json
from pathlib import Path

from service.schemas.articles import ARTICLE_EXAMPLE, BATCH_EXAMPLE, CSV_EXAMPLE

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "samples"
EVENT = "zarichne-power-strike"


def post_file(client, url, name, content_type="application/json"):
    return client.post(url, data=(SAMPLES / name).read_bytes(), content_type=content_type)


def test_documented_walkthrough(client):
    assert post_file(client, "/v1/outlets", "outlet.json").status_code == 201
    assert post_file(client, "/v1/events", "event.json").status_code == 201
    one = post_file(client, "/v1/articles?create_missing=true", "article.json")
    assert one.status_code == 201
    assert one.get_json()["outlet"] == "harbour-gazette"  # the display name reached the stored outlet
    assert "humanitarian-impact" in one.get_json()["classification"]["frames"]
    batch = post_file(client, "/v1/articles/batch?create_missing=true", "articles.json")
    assert batch.status_code == 201
    assert (batch.get_json()["n_created"], batch.get_json()["n_existing"]) == (5, 1)
    assert batch.get_json()["items"][0] == {"index": 0, "id": one.get_json()["id"], "created": False}
    again = post_file(client, "/v1/articles/batch", "articles.ndjson", "application/x-ndjson")
    assert again.status_code == 200 and again.get_json()["n_created"] == 0
    listed = client.get(f"/v1/articles?outlet=Eastern%20Wire&event={EVENT}").get_json()
    assert [a["title"] for a in listed["items"]] == [
        "Moscow says strikes hit military energy sites",
        "Kremlin warns new Western missiles risk a wider war",
    ]
    assert client.get("/v1/outlets/eastern-wire").get_json()["name"] == "Eastern Wire"
    frames = {frame for a in listed["items"] for frame in a["classification"]["frames"]}
    assert "escalation-risk" in frames


def test_samples_show_frames_and_stance_at_work(client):
    """A first classify of the samples finds war frames, and a stance, not a river festival."""
    articles = json.loads((SAMPLES / "articles.json").read_text())
    results = client.post("/v1/classify", json=articles).get_json()
    found = {frame for r in results for frame in (f["key"] for f in r["frames"] if f["present"])}
    assert {"humanitarian-impact", "support-commitment", "escalation-risk", "economic-cost"} <= found
    assert {r["stance"]["label"] for r in results} >= {"against"}
    compared = client.post("/v1/compare", json={"articles": articles, "min_articles": 1}).get_json()
    assert {row["outlet"] for row in compared["tables"]["prevalence"]} == {
        "Harbour Gazette",
        "Eastern Wire",
        "Capital Ledger",
        "Civic Herald",
    }


def test_new_user_csv_to_group_comparison(client):
    """The walkthrough's CSV (display names, missing titles, month dates) goes in as it is, and the
    outlets' types (a CSV by name) turn it into a group comparison."""
    rows = list(csv.DictReader((SAMPLES / "articles.csv").open()))
    assert any(not r["title"] for r in rows) and any(len(r["published_at"]) == 7 for r in rows)
    stored = post_file(client, "/v1/articles/batch?create_missing=true", "articles.csv", "text/csv")
    assert stored.status_code == 201, stored.get_json()
    assert stored.get_json()["n_created"] == len(rows)
    outlets = {o["key"]: o["name"] for o in client.get("/v1/outlets").get_json()["items"]}
    assert outlets == {
        "harbour-gazette": "Harbour Gazette",
        "eastern-wire": "Eastern Wire",
        "capital-ledger": "Capital Ledger",
        "civic-herald": "Civic Herald",
    }
    precisions = {a["published_precision"] for a in client.get("/v1/articles?limit=50").get_json()["items"]}
    assert precisions == {"day", "month"}
    types = client.put(
        "/v1/outlets/attributes",
        data=(SAMPLES / "outlet-types.csv").read_bytes(),
        content_type="text/csv",
    )
    assert types.status_code == 200, types.get_json()
    compared = client.get(f"/v1/events/{EVENT}/comparison?group_by=type")
    assert compared.status_code == 200, compared.get_json()
    groups = {row["group"] for row in compared.get_json()["tables"]["prevalence"]}
    assert groups == {"independent", "state-aligned"}
    chart = client.get(f"/v1/events/{EVENT}/comparison?group_by=type&format=vega-lite")
    assert chart.status_code == 200 and chart.get_json()["$schema"].startswith("https://vega.github.io")


def test_ndjson_and_json_samples_hold_the_same_articles():
    as_array = json.loads((SAMPLES / "articles.json").read_text())
    as_lines = [json.loads(line) for line in (SAMPLES / "articles.ndjson").read_text().splitlines()]
    assert as_array == as_lines
    assert json.loads((SAMPLES / "article.json").read_text()) == as_array[0]


def test_openapi_examples_are_the_samples(client):
    assert json.loads((SAMPLES / "article.json").read_text()) == ARTICLE_EXAMPLE
    assert json.loads((SAMPLES / "articles.json").read_text())[:3] == BATCH_EXAMPLE
    assert CSV_EXAMPLE.startswith("outlet,event,title,published_at,text\n")
    spec = json.dumps(client.get("/v1/openapi.json").get_json())
    assert "transit" not in spec.lower() and "riverton" not in spec.lower()
    assert "Zarichne" in spec
