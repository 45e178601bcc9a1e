"""Outlet attributes, group_by, comparisons across events and syndicated copies over HTTP."""

from __future__ import annotations

import pytest

from tests.collection import EVENTS, OUTLETS, WIRE_REPRINTS, articles
from tests.service.conftest import assert_problem

TYPES = {"independent", "state-aligned"}


@pytest.fixture
def stored(client):
    batch = [{k: v for k, v in a.items() if k != "id"} for a in articles()]  # stored articles get ids
    response = client.post("/v1/articles/batch?create_missing=true", json=batch)
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    return {a["id"]: row["id"] for a, row in zip(articles(), response.get_json()["items"], strict=True)}


def test_outlet_attributes_by_api(client):
    created = client.post(
        "/v1/outlets", json={"key": "kessa-star", "name": "Kessa Star", "attributes": {"type": "independent"}}
    )
    assert created.status_code == 201 and created.get_json()["attributes"] == {"type": "independent"}
    etag = client.get("/v1/outlets/kessa-star").headers["ETag"]
    patched = client.patch(
        "/v1/outlets/kessa-star",
        json={"attributes": {"type": "independent", "leaning": "left"}},
        headers={"If-Match": etag},
    )
    assert patched.get_json()["attributes"] == {"type": "independent", "leaning": "left"}
    for bad in (
        {"Type": "x"},
        {"type": ["a"]},
        {"type": ""},
        {"country": "GB"},
        {f"k{i}": "v" for i in range(21)},
    ):
        response = client.post("/v1/outlets", json={"key": "bad", "name": "Bad", "attributes": bad})
        assert_problem(response, 422, {"attributes"})


def test_articles_create_outlets_with_attributes(client, stored):
    for key, (kind, _) in OUTLETS.items():
        assert client.get(f"/v1/outlets/{key}").get_json()["attributes"] == {"type": kind}
    clash = {k: v for k, v in articles()[0].items() if k != "id"}
    clash.update(url="https://x.example/1", text="Another text entirely, long enough to count.")
    clash["outlet_attributes"] = {"type": "state-aligned"}
    body = assert_problem(client.post("/v1/articles/batch", json=[clash]), 422, {"outlet_attributes"})
    assert body["errors"][0]["index"] == 0


def test_event_comparison_by_group(client, stored):
    body = client.get(f"/v1/events/{EVENTS[1]}/comparison?group_by=type").get_json()
    tables = body["tables"]
    assert body["metadata"]["group_by"] == "type" and set(body["metadata"]["groups"]) == TYPES
    assert {r["group"] for r in tables["groups"]} == TYPES
    (cluster,) = tables["syndication"]
    assert sorted(cluster["article_ids"]) == sorted(stored[f"{o}/{EVENTS[1]}"] for o in WIRE_REPRINTS)
    independent = next(r for r in tables["groups"] if r["group"] == "independent")
    assert (independent["n_articles"], independent["n_effective"]) == (6, 3)
    assert all("group" in r and "outlet" not in r for r in tables["prevalence"])
    per_outlet = client.get(f"/v1/events/{EVENTS[1]}/comparison").get_json()
    assert "group outlets by an attribute" in per_outlet["metadata"]["advice"].lower()
    assert per_outlet["tables"]["frame_tests"] == []


def test_comparison_across_events(client, stored):
    body = client.get("/v1/comparisons?events=all&group_by=type").get_json()
    assert body["metadata"]["events"] == sorted(EVENTS) and body["metadata"]["stratified_by"] == "event"
    tables = body["tables"]
    assert len(tables["coverage"]) == 2 * len(EVENTS)
    assert all(r["n_events"] == 3 for r in tables["frame_tests"])
    named = client.get(
        f"/v1/comparisons?events={EVENTS[0]},{EVENTS[2]}&group_by=type&format=csv&table=coverage"
    )
    assert named.status_code == 200 and named.mimetype == "text/csv"
    assert_problem(client.get("/v1/comparisons?events=nope"), 404)
    assert_problem(client.get("/v1/comparisons?events=all&group_by=leaning"), 422, {"group_by"})
    assert_problem(client.get("/v1/comparisons"), 422, {"events"})


def test_compare_with_groups_and_ids(client):
    items = [
        {k: a[k] for k in ("id", "outlet", "title", "text", "event", "outlet_attributes")} for a in articles()
    ]
    talks = [a for a in items if a["event"] == EVENTS[1]]
    response = client.post("/v1/compare", json={"articles": talks, "group_by": "type"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    tables = response.get_json()["tables"]
    assert sorted(tables["syndication"][0]["article_ids"]) == sorted(
        f"{o}/{EVENTS[1]}" for o in WIRE_REPRINTS
    )
    assert {r["group"] for r in tables["groups"]} == TYPES
    talks[1] = dict(talks[1], outlet=talks[0]["outlet"], outlet_attributes={"type": "state-aligned"})
    assert_problem(
        client.post("/v1/compare", json={"articles": talks, "group_by": "type"}), 422, {"outlet_attributes"}
    )
    spec = client.post(
        "/v1/compare?format=vega-lite", json={"articles": items, "group_by": "type"}
    ).get_json()
    assert spec["encoding"]["y"]["field"] == "group"


def test_openapi_documents_groups_events_and_attributes(client):
    spec = client.get("/v1/openapi.json").get_json()
    text = str(spec)
    for name in ("group_by", "outlet_attributes", "syndicated", "events"):
        assert name in text
    params = {p["name"]: p for p in spec["paths"]["/v1/comparisons"]["get"]["parameters"]}
    assert params["events"]["required"] and "example" in str(params["events"])
    assert "example" in str(params["group_by"])
    body = spec["paths"]["/v1/compare"]["post"]["requestBody"]["content"]["application/json"]
    assert body["example"]["group_by"] == "type"


def test_outlet_profile_by_group(client, stored):
    body = client.get("/v1/outlets/eastern-wire/profile?group_by=type").get_json()
    assert body["metadata"]["group_by"] == "type" and body["metadata"]["unit"] == "group"
    tables = body["tables"]
    assert {r["group"] for r in tables["groups"]} == TYPES
    assert tables["stratified_tests"] and {r["group"] for r in tables["stratified_tests"]} == {
        "state-aligned"
    }
    assert all("outlet" not in r for r in tables["prevalence"])
    assert {r["event"] for r in tables["prevalence"]} == set(EVENTS)
    csv = client.get("/v1/outlets/eastern-wire/profile?group_by=type&format=csv&table=stratified_tests")
    assert csv.status_code == 200 and csv.get_data(as_text=True).startswith("group,")
    assert_problem(client.get("/v1/outlets/eastern-wire/profile?group_by=leaning"), 422, {"group_by"})
