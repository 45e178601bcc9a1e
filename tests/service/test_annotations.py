"""/v1/annotations: atomic batches (JSON, NDJSON, CSV), replacement, filters, export, codebook versions."""

from __future__ import annotations

import copy
import csv
import io
import json

import pytest

from service.resources.codebooks import UPLOAD_EXAMPLE
from tests.service.conftest import assert_problem, make_article

TEXT_LENGTH = len(make_article(0)["text"])


@pytest.fixture
def article_ids(client) -> list[int]:
    articles = [
        make_article(0, outlet="daily-planet", event="budget-vote"),
        make_article(1, outlet="daily-planet"),
        make_article(2, outlet="evening-star", event="budget-vote"),
    ]
    response = client.post("/v1/articles/batch?create_missing=true", json=articles)
    assert response.status_code == 201
    return [item["id"] for item in response.get_json()["items"]]


def code(article_id: int, coder: str = "alice", **changes) -> dict:
    item = {
        "article_id": article_id,
        "coder": coder,
        "frames": ["economic-cost", "domestic-politics"],
        "dominant": "economic-cost",
        "stance": None,
    }
    return {**item, **changes}


def test_post_list_get_and_replace(client, article_ids):
    a, b, _ = article_ids
    response = client.post("/v1/annotations", json=[code(a), code(b, stance="neutral")])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["n_items"], body["n_created"], body["n_replaced"]) == (2, 2, 0)
    first_id = body["items"][0]["id"]
    stored = client.get(f"/v1/annotations/{first_id}").get_json()
    assert stored["codebook"] == "conflict" and len(stored["codebook_hash"]) == 16
    assert stored["target"] == "ukraine-support" and stored["outlet"] == "daily-planet"
    assert stored["event"] == "budget-vote" and stored["spans"] == []

    again = client.post("/v1/annotations", json=[code(a, frames=["escalation-risk"], dominant=None)])
    assert again.status_code == 200 and again.get_json()["n_replaced"] == 1
    assert again.get_json()["items"][0]["id"] == first_id
    replaced = client.get(f"/v1/annotations/{first_id}").get_json()
    assert replaced["frames"] == ["escalation-risk"] and replaced["dominant"] is None
    assert replaced["created_at"] == stored["created_at"]
    assert len(client.get("/v1/annotations").get_json()["items"]) == 2


def test_ndjson_batches(client, article_ids):
    lines = "\n".join(json.dumps(code(i, coder="bob")) for i in article_ids)
    response = client.post("/v1/annotations", data=lines, content_type="application/x-ndjson")
    assert response.status_code == 201 and response.get_json()["n_created"] == 3


def test_a_bad_batch_names_every_item_and_field_and_stores_nothing(client, article_ids):
    a, b, c = article_ids
    items = [
        code(a),
        code(b, frames=["economic-costs", "war"], dominant=None),
        code(c, stance="maybe"),
        code(999_999),
        code(a, codebook="nothing"),
        code(b, coder="bob", target="mars-support"),
        code(a),  # the same article, coder and codebook as item 0
    ]
    body = assert_problem(client.post("/v1/annotations", json=items), 422)
    found = {(e["index"], e["field"]) for e in body["errors"]}
    assert found == {
        (1, "frames"),
        (2, "stance"),
        (3, "article_id"),
        (4, "codebook"),
        (5, "target"),
        (6, "article_id"),
    }
    frames_error = next(e for e in body["errors"] if e["index"] == 1)
    assert "'economic-costs', 'war'" in frames_error["detail"] and frames_error["pointer"] == "/1/frames"
    assert client.get("/v1/annotations").get_json()["items"] == []


def test_shape_errors_come_from_the_schema(client, article_ids):
    a = article_ids[0]
    items = [
        code(a, dominant="military-operations"),  # not among its frames
        code(a, coder="no spaces"),
        {"coder": "x"},
        code(a, frames=["economic-cost", "economic-cost"], dominant=None),
    ]
    body = assert_problem(client.post("/v1/annotations", json=items), 422)
    found = {(e["index"], e["field"]) for e in body["errors"]}
    assert found == {(0, "dominant"), (1, "coder"), (2, "article_id"), (3, "frames")}
    assert_problem(client.post("/v1/annotations", json=[]), 422)


def test_sentence_spans_are_checked_against_the_text_and_stored(client, article_ids):
    a = article_ids[0]
    spans = [
        {"start": 0, "end": 20, "frames": ["domestic-politics"], "stance": None},
        {"start": 20, "end": TEXT_LENGTH, "frames": ["economic-cost"], "stance": "neutral"},
    ]
    response = client.post("/v1/annotations", json=[code(a, spans=spans)])
    assert response.status_code == 201
    stored = client.get(f"/v1/annotations/{response.get_json()['items'][0]['id']}").get_json()
    assert stored["spans"] == spans
    bad = [
        {"start": 0, "end": TEXT_LENGTH + 1, "frames": [], "stance": None},
        {"start": 5, "end": 5},
        {"start": 0, "end": 3, "frames": ["nope"], "stance": "maybe"},
    ]
    body = assert_problem(client.post("/v1/annotations", json=[code(a, coder="bob", spans=bad[1:2])]), 422)
    assert body["errors"][0]["field"] == "spans.end" and body["errors"][0]["pointer"] == "/0/spans/0/end"
    body = assert_problem(client.post("/v1/annotations", json=[code(a, coder="bob", spans=bad[::2])]), 422)
    assert {(e["field"], e["pointer"]) for e in body["errors"]} == {
        ("spans.end", "/0/spans/0/end"),
        ("spans.frames", "/0/spans/1/frames"),
        ("spans.stance", "/0/spans/1/stance"),
    }


def test_filters_and_pagination(client, article_ids):
    a, b, c = article_ids
    client.post("/v1/annotations", json=[code(a), code(b), code(c), code(a, coder="bob")])

    def ids(query: str) -> list[int]:
        return [item["article_id"] for item in client.get(f"/v1/annotations?{query}").get_json()["items"]]

    assert ids("coder=bob") == [a]
    assert ids(f"article_id={a}") == [a, a]
    assert ids("event=budget-vote&coder=alice") == [a, c]
    assert ids("outlet=evening-star") == [c]
    assert ids("codebook=other") == []
    page = client.get("/v1/annotations?limit=3").get_json()
    assert len(page["items"]) == 3 and page["next"]
    rest = client.get(page["next"]).get_json()
    assert len(rest["items"]) == 1 and rest["next"] is None


def test_csv_import_and_export_round_trip(client, article_ids):
    a, b, _ = article_ids
    table = (
        "article_id,coder,frames,dominant,stance,spans\r\n"
        f'{a},carol,economic-cost;domestic-politics,economic-cost,,"[{{""start"": 0, ""end"": 4}}]"\r\n'
        f"{b},carol,,,neutral,\r\n"
    )
    response = client.post("/v1/annotations", data=table, content_type="text/csv")
    assert response.status_code == 201, response.get_json()
    exported = client.get("/v1/annotations/export?coder=carol")
    assert exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [r["frames"] for r in rows] == ["economic-cost;domestic-politics", ""]
    assert rows[1]["stance"] == "neutral" and rows[0]["codebook"] == "conflict"
    assert json.loads(rows[0]["spans"]) == [{"start": 0, "end": 4, "frames": [], "stance": None}]
    again = client.post("/v1/annotations", data=exported.get_data(), content_type="text/csv")
    assert again.status_code == 200 and again.get_json()["n_replaced"] == 2
    ndjson = client.get("/v1/annotations/export?format=ndjson&coder=carol")
    assert ndjson.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in ndjson.get_data(as_text=True).splitlines()]
    assert [line["frames"] for line in lines] == [["economic-cost", "domestic-politics"], []]
    bad = f"article_id,coder,frames\r\n{a},carol,war\r\n"
    body = assert_problem(client.post("/v1/annotations", data=bad, content_type="text/csv"), 422)
    assert (body["errors"][0]["index"], body["errors"][0]["field"]) == (0, "frames")


def test_delete_needs_the_etag(client, article_ids):
    annotation_id = client.post("/v1/annotations", json=[code(article_ids[0])]).get_json()["items"][0]["id"]
    assert_problem(client.delete(f"/v1/annotations/{annotation_id}"), 428)
    etag = client.get(f"/v1/annotations/{annotation_id}").headers["ETag"]
    assert client.delete(f"/v1/annotations/{annotation_id}", headers={"If-Match": etag}).status_code == 204
    assert_problem(client.get(f"/v1/annotations/{annotation_id}"), 404)


def test_a_codebook_version_that_drops_used_labels_is_refused_and_nothing_is_lost(client, article_ids):
    first = client.post("/v1/codebooks", json=UPLOAD_EXAMPLE).get_json()
    a, b, _ = article_ids
    items = [
        {"article_id": a, "coder": "alice", "codebook": "protest", "frames": ["riot"], "stance": "against"},
        {"article_id": b, "coder": "alice", "codebook": "protest", "frames": ["grievance"]},
    ]
    assert client.post("/v1/annotations", json=items).status_code == 201
    dropped = copy.deepcopy(UPLOAD_EXAMPLE)
    dropped.update(version="2.0", frames=dropped["frames"][1:])
    dropped["targets"][0]["labels"] = ["favor", "neutral"]
    dropped["targets"][0]["side_terms"] = {"favor": ["peaceful"]}
    body = assert_problem(client.post("/v1/codebooks", json=dropped), 409)
    assert (
        "frame 'riot' (1)" in body["detail"] and "stance 'against' toward 'protesters' (1)" in body["detail"]
    )
    assert client.get("/v1/codebooks/protest").get_json()["version"] == "1.0"
    assert len(client.get("/v1/annotations?codebook=protest").get_json()["items"]) == 2

    kept = copy.deepcopy(UPLOAD_EXAMPLE)
    kept["version"] = "1.1"
    kept["frames"].append({"key": "cost", "label": "Cost", "definition": "Money."})
    second = client.post("/v1/codebooks", json=kept).get_json()
    new = {"article_id": a, "coder": "bob", "codebook": "protest", "frames": ["cost"]}
    assert client.post("/v1/annotations", json=[new]).status_code == 201
    hashes = {
        i["coder"]: i["codebook_hash"]
        for i in client.get("/v1/annotations?codebook=protest").get_json()["items"]
    }
    assert hashes == {"alice": first["hash"], "bob": second["hash"]}  # old codes keep their version


def test_writes_need_the_write_scope(app, article_ids):
    app.config["AUTH_REQUIRED"] = True
    assert_problem(app.test_client().post("/v1/annotations", json=[code(article_ids[0])]), 401)
