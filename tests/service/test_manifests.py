"""Manifests: every analysis answer names what produced it; the same request reproduces its numbers."""

from __future__ import annotations

import pytest

from tests.service.conftest import assert_problem
from tests.service.test_comparisons import SAMPLES, URL


@pytest.fixture
def stored(client):
    assert client.post("/v1/articles/batch?create_missing=true", json=SAMPLES).status_code == 201


def ok(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return response.get_json()


def test_rerunning_a_stored_comparison_gives_the_same_manifest_and_identical_numbers(client, stored):
    first = ok(client.get(f"{URL}?correction=validation"))
    manifest = first["metadata"]["manifest"]
    again = ok(client.get(f"{URL}?correction=validation"))
    assert again["metadata"]["manifest"] == manifest
    assert again["tables"] == first["tables"]
    stored_manifest = ok(client.get(manifest["url"]))
    assert stored_manifest["id"] == manifest["id"]
    assert stored_manifest["n_runs"] == 2 and stored_manifest["reproduced"] is True
    document = stored_manifest["document"]
    assert document["model_version"] == first["metadata"]["model"]["version"]
    assert document["codebook_hash"] == first["metadata"]["model"]["codebook_hash"]
    assert document["articles"]["n"] == len(SAMPLES)
    assert document["parameters"] == {"correction": "validation"}
    assert {"comparison", "correction"} <= document["seeds"].keys()
    assert {"python", "numpy", "scipy", "scikit-learn", "comparison_source"} <= document["software"].keys()


def test_csv_answers_name_the_same_manifest_as_json(client, stored):
    manifest = ok(client.get(URL))["metadata"]["manifest"]["id"]
    assert client.get(f"{URL}?format=csv&table=stance").headers["X-Manifest-Id"] == manifest


def test_other_parameters_or_articles_are_another_manifest(client, stored):
    plain = ok(client.get(URL))["metadata"]["manifest"]["id"]
    assert ok(client.get(f"{URL}?min_articles=2"))["metadata"]["manifest"]["id"] != plain
    assert ok(client.get(f"{URL}?outlets={SAMPLES[0]['outlet']}"))["metadata"]["manifest"]["id"] != plain
    extra = {**SAMPLES[0], "url": None, "text": SAMPLES[0]["text"] + " New."}
    assert client.post("/v1/articles?create_missing=true", json=extra).status_code == 201
    assert ok(client.get(URL))["metadata"]["manifest"]["id"] != plain


def test_reposting_submitted_articles_reproduces_the_comparison(client):
    body = {"articles": [{k: a[k] for k in ("outlet", "title", "text")} for a in SAMPLES], "min_articles": 1}
    first = ok(client.post("/v1/compare?correction=validation", json=body))
    second = ok(client.post("/v1/compare?correction=validation", json=body))
    assert first == second
    assert ok(client.get(first["metadata"]["manifest"]["url"]))["reproduced"] is True


def test_unknown_manifest_is_a_404_problem(client):
    assert_problem(client.get("/v1/manifests/0123456789abcdef"), 404)
