"""OpenAPI document and the offline Swagger UI."""

import re


def test_openapi_document(client):
    spec = client.get("/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] == "Framescope"
    for path in (
        "/v1/articles",
        "/v1/articles/batch",
        "/v1/articles/{article_id}",
        "/v1/outlets",
        "/v1/outlets/{key}",
        "/v1/events",
        "/v1/events/{key}",
        "/health",
        "/ready",
    ):
        assert path in spec["paths"], path
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation.get("tags"), (path, method)
            assert operation.get("summary"), (path, method)
    batch = spec["paths"]["/v1/articles/batch"]["post"]
    assert {"application/json", "application/x-ndjson"} <= batch["requestBody"]["content"].keys()
    assert {"201", "200", "413", "422"} <= batch["responses"].keys()


def test_swagger_ui_is_served_locally(client):
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/docs/assets/") for a in assets), assets
    assert "/v1/openapi.json" in html
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_documented_request_examples_are_accepted(client):
    """The bodies Swagger UI pre-fills for "Try it out" really work."""
    spec = client.get("/v1/openapi.json").get_json()
    for path in ("/v1/articles", "/v1/articles/batch"):
        example = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["example"]
        assert client.post(f"{path}?create_missing=true", json=example).status_code == 201, path
