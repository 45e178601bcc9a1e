"""/v1/codebooks: uploads (JSON, YAML), immutable versions, the read-only shipped codebook."""

from __future__ import annotations

import copy
import json

import yaml

from classifiers import load_codebook
from service.resources.codebooks import UPLOAD_EXAMPLE
from tests.service.conftest import assert_problem


def protest(version: str = "1.0", **changes) -> dict:
    body = copy.deepcopy(UPLOAD_EXAMPLE)
    body.update(version=version, **changes)
    return body


def test_upload_json_then_read_it_back_with_its_hash(client):
    response = client.post("/v1/codebooks", json=protest())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["key"] == "protest" and len(body["hash"]) == 16 and body["source"] == "uploaded"
    assert [f["key"] for f in body["frames"]] == ["riot", "grievance"] and body["served"] is False
    assert response.headers["Location"].endswith(f"/v1/codebooks/protest?hash={body['hash']}")
    assert client.get("/v1/codebooks/protest").get_json() == body
    again = client.post("/v1/codebooks", json=protest())
    assert again.status_code == 200 and again.get_json()["hash"] == body["hash"]
    keys = {item["key"]: item for item in client.get("/v1/codebooks").get_json()["items"]}
    assert keys["protest"]["hash"] == body["hash"] and keys["conflict"]["source"] == "shipped"


def test_yaml_upload_gives_the_same_codebook_as_json(client):
    text = yaml.safe_dump({**protest(), "version": 1})  # a bare number is a version too
    response = client.post("/v1/codebooks", data=text, content_type="application/yaml")
    assert response.status_code == 201, response.get_json()
    json_body = client.post("/v1/codebooks", json=protest("1")).get_json()
    assert response.get_json()["hash"] == json_body["hash"] and json_body["version"] == "1"


def test_versions_are_immutable_rows_and_get_returns_the_latest(client):
    first = client.post("/v1/codebooks", json=protest("1.0")).get_json()
    changed = protest("1.1")
    changed["frames"].append({"key": "cost", "label": "Cost", "definition": "Money."})
    second = client.post("/v1/codebooks", json=changed).get_json()
    assert second["hash"] != first["hash"]
    assert client.get("/v1/codebooks/protest").get_json()["version"] == "1.1"
    assert client.get("/v1/codebooks/protest?version=1.0").get_json()["hash"] == first["hash"]
    assert client.get(f"/v1/codebooks/protest?hash={first['hash']}").get_json()["version"] == "1.0"
    versions = client.get("/v1/codebooks/protest/versions").get_json()["items"]
    assert [(v["version"], v["hash"]) for v in versions] == [("1.0", first["hash"]), ("1.1", second["hash"])]
    reused = protest("1.0", label="Another label")  # other content under a taken version
    body = assert_problem(client.post("/v1/codebooks", json=reused), 409)
    assert "new version" in body["detail"]
    assert_problem(client.get("/v1/codebooks/protest?version=9.9"), 404)
    assert_problem(client.get("/v1/codebooks/protest?hash=0123456789abcdef"), 404)
    assert_problem(client.get("/v1/codebooks/nothing/versions"), 404)


def test_the_shipped_codebook_is_read_only_and_served_from_fixtures(client):
    shipped = load_codebook("conflict")
    body = client.get("/v1/codebooks/conflict").get_json()
    assert body["hash"] == shipped.hash and body["source"] == "shipped" and body["served"] is True
    assert client.get(f"/v1/codebooks/conflict?hash={shipped.hash}").status_code == 200
    assert_problem(client.get("/v1/codebooks/conflict?version=2.0"), 404)
    upload = {**shipped.to_dict(), "version": "2.0"}
    upload.pop("hash")
    body = assert_problem(client.post("/v1/codebooks", json=upload), 409)
    assert "read-only" in body["detail"]
    assert [v["hash"] for v in client.get("/v1/codebooks/conflict/versions").get_json()["items"]] == [
        shipped.hash
    ]


def test_invalid_codebooks_are_422_naming_the_field(client):
    assert_problem(
        client.post("/v1/codebooks", json=protest(default_target="nobody")), 422, {"default_target"}
    )
    bad_frame = protest()
    bad_frame["frames"][1] = {"key": "grievance", "label": "Grievance"}
    assert_problem(client.post("/v1/codebooks", json=bad_frame), 422, {"frames[1]"})
    twice = protest()
    twice["frames"].append(twice["frames"][0])
    assert_problem(client.post("/v1/codebooks", json=twice), 422)
    missing = protest()
    missing.pop("label")
    assert_problem(client.post("/v1/codebooks", json=missing), 422, {"label"})
    assert_problem(client.post("/v1/codebooks", json={**protest(), "extra": 1}), 422, {"extra"})
    assert_problem(client.post("/v1/codebooks", json=protest(key="has space")), 422, {"key"})
    assert client.get("/v1/codebooks/protest").status_code == 404


def test_bad_yaml_bodies(client, app):
    bomb = "a: &a [x, x]\nb: [*a, *a]\n"
    assert_problem(client.post("/v1/codebooks", data=bomb, content_type="application/yaml"), 400)
    assert_problem(client.post("/v1/codebooks", data="key: [", content_type="text/yaml"), 400)
    assert_problem(client.post("/v1/codebooks", data="key: .inf", content_type="text/yaml"), 422)
    assert_problem(client.post("/v1/codebooks", data="1: x", content_type="text/yaml"), 422)
    app.config["MAX_YAML_BYTES"] = 100
    body = assert_problem(
        client.post("/v1/codebooks", data=yaml.safe_dump(protest()), content_type="text/yaml"), 413
    )
    assert "FRAMESCOPE_MAX_YAML_BYTES" in body["detail"]
    assert_problem(client.post("/v1/codebooks", data=json.dumps(protest()), content_type="text/plain"), 415)


def test_uploads_need_the_write_scope(app):
    app.config["AUTH_REQUIRED"] = True
    client = app.test_client()
    assert_problem(client.post("/v1/codebooks", json=protest()), 401)
