"""Comparison endpoints over the invented sample event (fixtures/samples/port-selenko.json)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text

from service.storage.classifications import read_classifications, store_classifications
from service.storage.tables import Classification
from tests.service.conftest import assert_problem

SAMPLES = json.loads(
    (Path(__file__).resolve().parents[2] / "fixtures" / "samples" / "port-selenko.json").read_text()
)
EVENT = "port-selenko-strike"
URL = f"/v1/events/{EVENT}/comparison"
OUTLETS = sorted({a["outlet"] for a in SAMPLES})


@pytest.fixture
def stored(client):
    response = client.post("/v1/articles/batch?create_missing=true", json=SAMPLES)
    assert response.status_code == 201
    return [row["id"] for row in response.get_json()["items"]]


def get_json(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()


def test_event_comparison_matches_the_stored_labels(client, stored, classifier):
    body = get_json(client, URL)
    meta = body["metadata"]
    assert meta["model_versions"] == [classifier.version]
    assert meta["codebook_hashes"] == [classifier.codebook.hash]
    assert meta["model"]["version"] == classifier.version
    assert meta["outlets"] == OUTLETS and meta["n_articles"] == 20
    tables = body["tables"]
    assert len(tables["prevalence"]) == 4 * len(classifier.codebook.frames)
    for row in tables["prevalence"]:  # counts agree with the article list's frame filter
        if row["frame"] in ("economic-cost", "escalation-risk"):
            listed = get_json(
                client, f"/v1/articles?event={EVENT}&outlet={row['outlet']}&frame={row['frame']}"
            )
            assert row["count"] == len(listed["items"]) and row["n"] == 5
    economic = {r["outlet"]: r["share"] for r in tables["prevalence"] if r["frame"] == "economic-cost"}
    assert economic["capital-ledger"] == max(economic.values())  # the business paper's frame
    assert {r["frame"] for r in tables["frame_tests"]} <= set(classifier.codebook.frame_keys)
    assert all(0 <= r["pvalue"] <= r["pvalue_adjusted"] <= 1 for r in tables["frame_tests"])
    pairs = [(r["outlet_a"], r["outlet_b"]) for r in tables["divergence"]]  # each unordered pair once
    assert sorted(pairs) == [(a, b) for i, a in enumerate(OUTLETS) for b in OUTLETS[i + 1 :]]
    assert tables["distinctive_terms"]


def test_csv_parses_back_to_the_json_table(client, stored):
    tables = get_json(client, URL)["tables"]
    for query, headers in ((f"{URL}?format=csv&table=frame_tests", {}), (URL, {"Accept": "text/csv"})):
        response = client.get(query, headers=headers)
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert response.headers["X-Model-Versions"] and response.headers["X-Codebook-Hashes"]
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        table = tables["frame_tests" if "table=" in query else "prevalence"]
        assert len(rows) == len(table)
        for parsed, original in zip(rows, table, strict=True):
            assert parsed["frame"] == original["frame"]
            for key, value in original.items():
                if isinstance(value, float):
                    assert float(parsed[key]) == value


def test_vega_lite_heatmap(client, stored, classifier):
    spec = get_json(client, f"{URL}?format=vega-lite")
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v5")
    assert len(spec["data"]["values"]) == 4 * len(classifier.codebook.frames)
    assert spec["encoding"]["x"]["field"] == "frame" and spec["encoding"]["y"]["field"] == "outlet"
    assert [
        layer["mark"] if isinstance(layer["mark"], str) else layer["mark"]["type"] for layer in spec["layer"]
    ] == ["rect", "text", "text"]  # cells, then each cell's share and (smaller, below) its interval
    assert spec["usermeta"]["framescope"]["model_versions"] == [classifier.version]


def test_outlet_filter(client, stored):
    body = get_json(client, f"{URL}?outlets=eastern-wire,harbour-gazette&min_articles=2")
    assert body["metadata"]["outlets"] == ["eastern-wire", "harbour-gazette"]
    assert {r["outlet"] for r in body["tables"]["prevalence"]} == {"eastern-wire", "harbour-gazette"}


def test_partly_relabelled_event_is_refused(client, stored, db_session, classifier):
    """One article labelled only by an older model: no silent mixing, no silent dropping."""
    served = read_classifications(db_session, [stored[0]], classifier.version)[stored[0]]
    old = replace(served, model=replace(served.model, version="conflict-sparse-old"))
    db_session.execute(Classification.__table__.delete().where(Classification.article_id == stored[0]))
    store_classifications(db_session, [(stored[0], old)])
    db_session.commit()
    body = assert_problem(client.get(URL), 422, fields={"model_version"})
    assert "flask classify --missing" in body["detail"] and "conflict-sparse-old" in body["detail"]
    assert_problem(client.get(f"{URL}?model_version=conflict-sparse-old"), 422, fields={"model_version"})


def test_bad_parameters(client, stored):
    assert_problem(client.get("/v1/events/no-such-event/comparison"), 404)
    assert_problem(client.get(f"{URL}?table=nope&format=csv"), 422, fields={"table"})
    assert_problem(client.get(f"{URL}?format=xml"), 422, fields={"format"})
    assert_problem(client.get(f"{URL}?min_articles=0"), 422, fields={"min_articles"})
    assert_problem(client.get(f"{URL}?target=mars"), 422, fields={"target"})
    assert_problem(client.get(f"{URL}?outlets=nobody"), 422)  # no matching articles


def test_compare_classifies_and_compares_without_storing(client, db_session):
    articles = [{k: a[k] for k in ("outlet", "title", "text")} for a in SAMPLES]
    response = client.post("/v1/compare", json={"articles": articles})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert body["metadata"]["n_articles"] == 20 and body["metadata"]["outlets"] == OUTLETS
    assert db_session.query(Classification).count() == 0
    csv_text = client.post("/v1/compare?format=csv&table=outlets", json={"articles": articles})
    assert list(csv.DictReader(io.StringIO(csv_text.get_data(as_text=True)))) == [
        {"outlet": o, "n_articles": "5", "n_effective": "5"} for o in OUTLETS
    ]


def test_compare_bad_input_names_the_field(client):
    one = {"outlet": "a", "text": "Tanks advanced."}
    assert_problem(client.post("/v1/compare", json={"articles": [one]}), 422, fields={"articles"})
    body = assert_problem(client.post("/v1/compare", json={"articles": [one, {"text": "x"}]}), 422)
    assert {(e["field"], e.get("index")) for e in body["errors"]} == {("articles.outlet", 1)}
    assert_problem(
        client.post("/v1/compare", json={"articles": [one, {"outlet": "b", "text": " "}]}),
        422,
        {"articles.text"},
    )
    assert_problem(client.post("/v1/compare", json={"articles": [one, one], "target": "x"}), 422, {"target"})


def test_trends(client, stored, classifier):
    body = get_json(client, "/v1/trends?interval=day&event=" + EVENT)
    assert body["metadata"]["interval"] == "day"
    assert body["metadata"]["model_versions"] == [classifier.version]
    rows = body["tables"]["prevalence"]
    assert {r["bucket"] for r in rows} == {f"2026-04-{d:02d}" for d in range(6, 11)}
    assert all(r["n"] == 1 for r in rows)  # one article per outlet per day
    weekly = get_json(client, "/v1/trends?interval=week&outlets=capital-ledger")["tables"]["prevalence"]
    assert {r["outlet"] for r in weekly} == {"capital-ledger"} and {r["n"] for r in weekly} == {5}
    spec = get_json(client, "/v1/trends?interval=day&format=vega-lite&variable=stance")
    assert spec["facet"]["field"] == "stance" and spec["spec"]["layer"]
    response = client.get("/v1/trends?format=csv&table=stance")
    assert response.mimetype == "text/csv" and response.get_data(as_text=True).startswith("outlet,")
    assert_problem(client.get("/v1/trends?interval=year"), 422, fields={"interval"})


def test_outlet_profile(client, stored, classifier):
    body = get_json(client, "/v1/outlets/capital-ledger/profile")
    assert body["metadata"]["outlets"] == ["capital-ledger"]
    assert body["metadata"]["model"]["codebook_hash"] == classifier.codebook.hash
    assert {r["event"] for r in body["tables"]["prevalence"]} == {EVENT}
    response = client.get("/v1/outlets/capital-ledger/profile?format=csv&table=stratified_tests")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert_problem(client.get("/v1/outlets/nobody/profile"), 404)
    assert_problem(client.get("/v1/outlets/capital-ledger/profile?format=vega-lite"), 422, {"format"})


OLD = "conflict-sparse-old"


@pytest.fixture
def relabelled(stored, db_session, runner):
    """The event's results stored by an older model without `domestic-politics`, then by the served one."""
    db_session.execute(text("DELETE FROM article_frames WHERE frame_key = 'domestic-politics'"))
    db_session.execute(text(f"UPDATE classifications SET model_version = '{OLD}', codebook_hash = '0ld'"))
    db_session.commit()
    assert runner.invoke(args=["classify", "--missing"]).exit_code == 0
    return stored


def test_an_older_version_is_compared_with_its_own_frames_and_model(client, relabelled, classifier):
    body = get_json(client, f"{URL}?model_version={OLD}")
    assert body["metadata"]["model"] == {"version": OLD, "codebook": "conflict", "codebook_hash": "0ld"}
    assert body["metadata"]["model_versions"] == [OLD]
    old_frames = [k for k in classifier.codebook.frame_keys if k != "domestic-politics"]
    assert sorted({r["frame"] for r in body["tables"]["prevalence"]}) == sorted(old_frames)
    trends = get_json(client, f"/v1/trends?model_version={OLD}&event={EVENT}")
    assert trends["metadata"]["model"]["version"] == OLD
    assert "domestic-politics" not in {r["frame"] for r in trends["tables"]["prevalence"]}
    served = get_json(client, URL)  # the served model's own labels are untouched
    assert served["metadata"]["model"]["version"] == classifier.version
    assert "domestic-politics" in {r["frame"] for r in served["tables"]["prevalence"]}


def test_article_listing_by_an_older_version_shows_that_version(client, relabelled, classifier):
    listed = get_json(client, f"/v1/articles?event={EVENT}&model_version={OLD}&limit=50")["items"]
    assert len(listed) == 20
    assert {a["classification"]["model"]["version"] for a in listed} == {OLD}
    assert {a["classification"]["model"]["codebook_hash"] for a in listed} == {"0ld"}
    economic = get_json(client, f"/v1/articles?model_version={OLD}&frame=economic-cost&limit=50")["items"]
    assert economic and all("economic-cost" in a["classification"]["frames"] for a in economic)
    body = assert_problem(
        client.get(f"/v1/articles?model_version={OLD}&frame=domestic-politics"), 422, {"frame"}
    )
    assert OLD in body["detail"]
    assert get_json(client, "/v1/articles?frame=domestic-politics&limit=50")["items"]  # served: still a frame
