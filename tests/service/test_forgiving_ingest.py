"""Ingest as researchers' data arrives: display names, no titles, month dates, their own field names,
one article JSON for every endpoint, and texts in other languages (issue 14)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.service.conftest import assert_problem, make_article

STRIKE = (
    "Russian drones struck a power station outside Zarichne overnight, officials said. "
    "Ukraine asked its partners for more air defence systems. Germany pledged new missiles for Ukraine."
)
GERMAN = (
    "Russische Drohnen haben in der Nacht ein Kraftwerk bei Saritschne getroffen, teilten die Behörden mit. "
    "Die Ukraine bat ihre Partner um weitere Luftabwehrsysteme."
)


def article(i: int = 0, **overrides: Any) -> dict[str, Any]:
    return make_article(i, **{"text": f"{STRIKE} Report {i}.", **overrides})


def test_outlet_by_display_name_creates_derived_key_and_keeps_the_name(client):
    first = client.post("/v1/articles?create_missing=true", json=article(1, outlet="ABC News"))
    assert first.status_code == 201, first.get_json()
    assert (first.get_json()["outlet"], first.get_json()["outlet_name"]) == ("abc-news", "ABC News")
    outlet = client.get("/v1/outlets/abc-news").get_json()
    assert outlet["name"] == "ABC News"
    assert client.get("/v1/outlets/ABC%20News").get_json()["key"] == "abc-news"
    # the key, the name and another spelling of it all reach the same outlet, without create_missing
    for i, ref in enumerate(["abc-news", "ABC News", "abc news"], start=2):
        response = client.post("/v1/articles", json=article(i, outlet=ref))
        assert response.status_code == 201 and response.get_json()["outlet"] == "abc-news"
    assert client.get("/v1/outlets").get_json()["items"][0]["key"] == "abc-news"
    assert len(client.get("/v1/outlets").get_json()["items"]) == 1
    listed = client.get("/v1/articles?outlet=ABC%20News").get_json()["items"]
    assert len(listed) == 4
    exported = client.get("/v1/articles/export?outlet=ABC%20News&format=csv").get_data(as_text=True)
    assert len(exported.strip().splitlines()) == 5


def test_unknown_display_name_without_create_missing_is_named(client):
    body = assert_problem(client.post("/v1/articles", json=article(outlet="Le Monde")), 422, {"outlet"})
    assert "create_missing=true" in body["errors"][0]["detail"]


def test_outlet_created_by_name_only_gets_the_derived_key(client):
    response = client.post("/v1/outlets", json={"name": "Українська правда"})
    assert response.status_code == 201
    assert response.get_json()["key"] == "ukrayinska-pravda"
    stored = client.post("/v1/articles", json=article(outlet="Українська правда"))
    assert stored.get_json()["outlet"] == "ukrayinska-pravda"


def test_title_is_optional_and_empty_titles_mean_none(client):
    no_title = article(1, outlet="ABC News")
    no_title.pop("title")
    response = client.post("/v1/articles?create_missing=true", json=no_title)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["title"] is None
    assert response.get_json()["classification"]["status"] == "ok"
    empty = client.post("/v1/articles/batch", json=[article(2, outlet="ABC News", title="  ")])
    assert empty.status_code == 201
    assert client.get(f"/v1/articles/{empty.get_json()['items'][0]['id']}").get_json()["title"] is None


@pytest.mark.parametrize(
    ("sent", "stored", "precision"),
    [
        ("2024-11", "2024-11-01T00:00:00+00:00", "month"),
        ("2024-11-05", "2024-11-05T00:00:00+00:00", "day"),
        ("2024", "2024-01-01T00:00:00+00:00", "year"),
        ("2024-11-05T14:30:00+02:00", "2024-11-05T12:30:00+00:00", "datetime"),
        ("2024-11-05 14:30", "2024-11-05T14:30:00+00:00", "datetime"),
        (None, None, None),
    ],
)
def test_dates_keep_their_precision(client, sent, stored, precision):
    response = client.post("/v1/articles?create_missing=true", json=article(published_at=sent))
    assert response.status_code == 201, response.get_json()
    body = client.get(f"/v1/articles/{response.get_json()['id']}").get_json()
    assert (body["published_at"], body["published_precision"]) == (stored, precision)


@pytest.mark.parametrize(
    ("sent", "hint"),
    [
        ("05/11/2024", "'2024-11-05' (day first) or '2024-05-11' (month first)"),
        ("25/11/2024", "Write it as '2024-11-25'"),
        ("2024-13", "not a calendar date"),
        ("last week", "'2024-11' (a month)"),
    ],
)
def test_bad_dates_are_named_with_a_hint(client, sent, hint):
    body = assert_problem(
        client.post("/v1/articles?create_missing=true", json=article(published_at=sent)),
        422,
        {"published_at"},
    )
    assert hint in body["errors"][0]["detail"]


def test_month_filters_and_patching_a_month_date(client):
    for i, date in enumerate(["2024-10-31T23:00:00Z", "2024-11", "2024-11-30", "2024-12-01"]):
        client.post("/v1/articles?create_missing=true", json=article(i, published_at=date))
    items = client.get("/v1/articles?published_from=2024-11&published_to=2024-12").get_json()["items"]
    assert [a["published_precision"] for a in items] == ["month", "day"]
    exported = client.get("/v1/articles/export?published_from=2024-11&published_to=2024-12").get_data(
        as_text=True
    )
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [(r["published_at"][:10], r["published_precision"]) for r in rows] == [
        ("2024-11-01", "month"),
        ("2024-11-30", "day"),
    ]
    url = f"/v1/articles/{items[1]['id']}"
    patched = client.patch(
        url, json={"published_at": "2024-09"}, headers={"If-Match": client.get(url).headers["ETag"]}
    )
    assert (patched.get_json()["published_at"][:10], patched.get_json()["published_precision"]) == (
        "2024-09-01",
        "month",
    )


def test_unknown_fields_get_did_you_mean(client):
    sent = article(published="2024-11", headline="Strike")
    sent.pop("title")
    body = assert_problem(
        client.post("/v1/articles?create_missing=true", json=sent), 422, {"published", "headline"}
    )
    details = {e["field"]: e["detail"] for e in body["errors"]}
    assert "Did you mean 'published_at'?" in details["published"]
    assert "Did you mean 'title'?" in details["headline"]
    nested = {
        "articles": [article(0, outlet="A"), {**article(1, outlet="B"), "pubdate": "2024"}],
        "min_articles": 1,
    }
    body = assert_problem(client.post("/v1/compare", json=nested), 422, {"articles.pubdate"})
    assert body["errors"][0]["pointer"] == "/articles/1/pubdate"
    assert "Did you mean 'published_at'?" in body["errors"][0]["detail"]
    body = assert_problem(client.post("/v1/classify", json={"text": STRIKE, "zzz": 1}), 422, {"zzz"})
    assert "Accepted:" in body["errors"][0]["detail"] and "published_at" in body["errors"][0]["detail"]


def test_one_article_shape_goes_to_every_endpoint(client):
    one = article(
        1,
        outlet="Harbour Gazette",
        outlet_attributes={"type": "independent"},
        event="zarichne-strike",
        id="hg-1",
        published_at="2026-03",
        author="M. Kovalenko",
        target="ukraine-support",
    )
    other = {**one, "id": "ew-1", "outlet": "Eastern Wire", "url": "https://wire.example/1", "text": STRIKE}
    other["outlet_attributes"] = {"type": "state-aligned"}
    classified = client.post("/v1/classify", json=one)
    assert classified.status_code == 200, classified.get_json()
    assert classified.get_json()["status"] == "ok"
    compared = client.post("/v1/compare", json={"articles": [one, other], "min_articles": 1})
    assert compared.status_code == 200, compared.get_json()
    assert {r["outlet"] for r in compared.get_json()["tables"]["prevalence"]} == {
        "Harbour Gazette",
        "Eastern Wire",
    }
    stored = client.post("/v1/articles?create_missing=true", json=one)
    assert stored.status_code == 201, stored.get_json()
    body = stored.get_json()
    assert (body["outlet"], body["author"], body["published_precision"]) == (
        "harbour-gazette",
        "M. Kovalenko",
        "month",
    )
    assert body["id"] != "hg-1"


def test_other_languages_are_answered_with_the_detected_language(client):
    classified = client.post("/v1/classify", json={"title": "Kraftwerk getroffen", "text": GERMAN}).get_json()
    assert (classified["status"], classified["language"]) == ("unsupported_language", "de")
    assert "German (de)" in classified["message"] and "English" in classified["message"]
    stored = client.post("/v1/articles?create_missing=true", json=article(text=GERMAN, language="de"))
    assert stored.status_code == 201
    summary = stored.get_json()["classification"]
    assert (summary["status"], summary["language"]) == ("unsupported_language", "de")
    assert "German" in summary["message"]
    english = client.post("/v1/classify", json={"text": STRIKE}).get_json()
    assert english["message"] is None


def test_trends_leave_out_dates_less_precise_than_the_interval(client):
    for i, date in enumerate(["2024-11-04T10:00:00Z", "2024-11-12", "2024-11", "2024"]):
        client.post("/v1/articles?create_missing=true", json=article(i, published_at=date))
    weekly = client.get("/v1/trends?interval=week").get_json()
    assert weekly["metadata"]["n_left_out_imprecise_dates"] == 2
    assert "interval=month" in weekly["metadata"]["dates_note"]
    assert (
        sum(row["n"] for row in weekly["tables"]["prevalence"] if row["frame"] == "humanitarian-impact") == 2
    )
    monthly = client.get("/v1/trends?interval=month").get_json()
    assert monthly["metadata"]["n_left_out_imprecise_dates"] == 1
    assert (
        sum(row["n"] for row in monthly["tables"]["prevalence"] if row["frame"] == "humanitarian-impact") == 3
    )
