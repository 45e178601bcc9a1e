"""PUT /v1/outlets/attributes: attributes from a CSV file, atomic, bad cells named by row and column."""

from __future__ import annotations

from tests.service.conftest import assert_problem

CSV = {"Content-Type": "text/csv"}


def put(client, body, query=""):
    return client.put(f"/v1/outlets/attributes{query}", data=body.encode(), headers=CSV)


def test_upload_sets_and_removes_attributes(client):
    client.post("/v1/outlets", json={"key": "harbour-gazette", "name": "Harbour Gazette"})
    client.post(
        "/v1/outlets", json={"key": "eastern-wire", "name": "Eastern Wire", "attributes": {"owner": "state"}}
    )
    body = "key,type,leaning\neastern-wire,state-aligned,right\nharbour-gazette,independent,\n\n"
    response = put(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {
        "n_rows": 2,
        "n_updated": 2,
        "n_created": 0,
        "outlets": ["eastern-wire", "harbour-gazette"],
    }
    wire = client.get("/v1/outlets/eastern-wire").get_json()["attributes"]
    assert wire == {"owner": "state", "type": "state-aligned", "leaning": "right"}
    assert client.get("/v1/outlets/harbour-gazette").get_json()["attributes"] == {"type": "independent"}
    by_name = put(client, "\ufeffname,leaning\nHarbour Gazette,centre\r\nEastern Wire,\r\n")  # BOM, CRLF
    assert by_name.status_code == 200 and by_name.get_json()["n_updated"] == 2
    assert "leaning" not in client.get("/v1/outlets/eastern-wire").get_json()["attributes"]
    created = put(client, "key,type\nnew-outlet,independent\n", "?create_missing=true")
    assert created.get_json()["n_created"] == 1
    assert client.get("/v1/outlets/new-outlet").get_json()["attributes"] == {"type": "independent"}


def test_every_bad_row_is_named_and_nothing_changes(client):
    client.post("/v1/outlets", json={"key": "harbour-gazette", "name": "Harbour Gazette"})
    long = "x" * 101
    body = (
        "key,type,leaning\n"
        "harbour-gazette,independent,left\n"  # fine, but the upload fails as a whole
        f"harbour-gazette,{long},\n"  # row 3: repeated outlet and a too long value
        "nowhere,independent,\n"  # row 4: unknown outlet
        "harbour-gazette,independent\n"  # row 5: too few cells
    )
    problem = assert_problem(put(client, body), 422)
    found = {(e["row"], e["field"]) for e in problem["errors"]}
    assert {(3, "key"), (3, "type"), (5, None)} <= found
    assert client.get("/v1/outlets/harbour-gazette").get_json()["attributes"] == {}
    unknown = assert_problem(put(client, "key,type\nnowhere,independent\n"), 422, {"key"})
    assert unknown["errors"][0]["row"] == 2
    header = assert_problem(put(client, "outlet,Type,country\nx,y,z\n"), 422)
    assert {e["field"] for e in header["errors"]} == {"outlet", "Type", "country"}
    assert_problem(client.put("/v1/outlets/attributes", json={"key": "x"}), 415)
    assert_problem(put(client, ""), 400)


def test_upload_is_in_the_openapi_document(client):
    spec = client.get("/v1/openapi.json").get_json()
    put_doc = spec["paths"]["/v1/outlets/attributes"]["put"]
    assert "text/csv" in put_doc["requestBody"]["content"]
    assert client.get("/v1/outlets/attributes").status_code == 404  # an outlet key, not the upload
