"""correction=validation|annotations: raw and error-corrected shares side by side in every analysis."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.service.conftest import assert_problem
from tests.service.test_comparisons import EVENT, SAMPLES, URL

CORRECTED = {"share_corrected", "ci_low_corrected", "ci_high_corrected", "correction_method"}


@pytest.fixture
def stored(client):
    response = client.post("/v1/articles/batch?create_missing=true", json=SAMPLES)
    assert response.status_code == 201
    return [row["id"] for row in response.get_json()["items"]]


def ok(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return response.get_json()


def test_event_comparison_gives_corrected_beside_raw_shares(client, stored):
    raw = ok(client.get(URL))
    body = ok(client.get(f"{URL}?correction=validation"))
    assert body["metadata"]["correction"]["source"] == "validation"
    assert body["metadata"]["correction"]["model_version"] == body["metadata"]["model"]["version"]
    # frame shares: the unit-level calibration fitted on the 10 shipped validation events
    assert body["metadata"]["correction"]["unit_calibration"]["n_units"] == 10
    assert body["metadata"]["correction"]["frame_method"].startswith("unit-level")
    for plain, row in zip(raw["tables"]["prevalence"], body["tables"]["prevalence"], strict=True):
        assert {k: row[k] for k in plain} == plain  # raw numbers unchanged
        assert row.keys() >= CORRECTED
        assert row["correction_method"].startswith("unit-level")
        assert 0 <= row["ci_low_corrected"] <= row["share_corrected"] <= row["ci_high_corrected"] <= 1
    assert all(r.keys() >= CORRECTED for r in body["tables"]["stance"])
    tests = body["tables"]["corrected_frame_tests"]
    assert tests and all(
        r["correction_method"] == "fdr_bh" and r["pvalue_adjusted"] >= r["pvalue"] for r in tests
    )
    assert ok(client.get(f"{URL}?correction=validation")) == body  # seeded: identical numbers


def test_corrected_tables_as_csv(client, stored):
    response = client.get(f"{URL}?correction=validation&format=csv&table=prevalence")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    header = next(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert {"share", "ci_low", "ci_high"} | CORRECTED <= set(header)
    response = client.get(f"{URL}?correction=validation&format=csv&table=corrected_frame_tests")
    assert "difference_corrected" in response.get_data(as_text=True).splitlines()[0]
    assert_problem(client.get(f"{URL}?format=csv&table=corrected_frame_tests"), 422, {"table"})


def test_submitted_trends_and_profiles_accept_the_correction(client, stored):
    body = {"articles": [{k: a[k] for k in ("outlet", "title", "text")} for a in SAMPLES], "min_articles": 1}
    compared = ok(client.post("/v1/compare?correction=validation", json=body))
    assert compared["tables"]["prevalence"][0].keys() >= CORRECTED
    trends = ok(client.get(f"/v1/trends?event={EVENT}&correction=validation"))
    assert trends["tables"]["prevalence"][0].keys() >= CORRECTED
    outlet = SAMPLES[0]["outlet"]
    profile = ok(client.get(f"/v1/outlets/{outlet}/profile?correction=validation"))
    assert profile["tables"]["prevalence"][0].keys() >= CORRECTED


def test_figures_of_another_model_version_are_refused_never_used(client, stored, tmp_path, monkeypatch):
    from classifiers.validation import validation_path

    figures = json.loads(validation_path().read_text())
    other = tmp_path / "conflict.json"
    other.write_text(json.dumps({**figures, "model_version": "conflict-sparse-000000000000"}))
    monkeypatch.setattr("service.correcting.validation_path", lambda key: other)
    problem = assert_problem(client.get(f"{URL}?correction=validation"), 422, {"correction"})
    assert (
        "conflict-sparse-000000000000" in problem["detail"] and "classifiers.validation" in problem["detail"]
    )


def test_a_researchers_annotations_correct_the_shares(client, stored):
    labels = {a["id"]: a for a in ok(client.get(f"/v1/articles?event={EVENT}&limit=50"))["items"]}
    items = []
    for coder in ("alice", "bob"):
        for article_id in stored:
            frames = list(labels[article_id]["classification"]["frames"])
            if coder == "bob" and article_id % 3 == 0:
                frames = frames[:-1]  # bob disagrees with the model on some articles
            items.append({"article_id": article_id, "coder": coder, "frames": frames, "stance": None})
    assert client.post("/v1/annotations", json=items).status_code == 201
    body = ok(client.get(f"{URL}?correction=annotations&coders=alice"))
    meta = body["metadata"]["correction"]
    assert meta["source"] == "annotations" and meta["n_validation_articles"] == len(stored)
    assert meta["unit_calibration"]["n_units"] == 4  # the coded articles' outlets
    # alice agrees with the model on every article: a perfect validation, corrected == raw
    for row in body["tables"]["prevalence"]:
        assert row["correction_method"].startswith("unit-level")
        assert row["share_corrected"] == pytest.approx(row["share"])
    ok(client.get(f"{URL}?correction=annotations&coders=alice,bob"))
    assert_problem(client.get(f"{URL}?correction=annotations"), 422, {"coders"})
    assert_problem(client.get(f"{URL}?correction=annotations&coders=nobody"), 422, {"coders"})
    assert_problem(client.get(f"{URL}?correction=guess"), 422, {"correction"})


def test_groups_are_compared_on_corrected_shares(client, stored):
    body = ok(client.get(f"{URL}?correction=validation&group_by=type"))
    tests = body["tables"]["corrected_frame_tests"]
    assert tests and {"group_a", "group_b"} <= tests[0].keys()
    assert {r["group"] for r in body["tables"]["prevalence"]} == {"independent", "state-aligned"}


def test_annotations_from_too_few_outlets_fall_back_to_the_adjusted_count(client, stored):
    articles = ok(client.get(f"/v1/articles?event={EVENT}&limit=50"))["items"]
    two = sorted({a["outlet"] for a in articles})[:2]
    items = [
        {
            "article_id": a["id"],
            "coder": "carol",
            "frames": list(a["classification"]["frames"]),
            "stance": None,
        }
        for a in articles
        if a["outlet"] in two
    ]
    assert client.post("/v1/annotations", json=items).status_code == 201
    meta = ok(client.get(f"{URL}?correction=annotations&coders=carol"))["metadata"]["correction"]
    assert meta["unit_calibration"] is None and "at least 3" in meta["unit_calibration_note"]
    assert meta["frame_method"].startswith("rogan-gladen")
