"""GET /v1/articles/export: every matching article with its labels, CSV or NDJSON, streamed in chunks."""

from __future__ import annotations

import io
import json

import pytest

from service.storage.article_exports import iter_export_chunks
from service.storage.classifications import read_classifications
from tests.conftest import make_test_app
from tests.service.conftest import assert_problem, make_article

pd = pytest.importorskip("pandas")

TEXT = (
    "Germany pledged a new package of air-defence systems for Ukraine on Tuesday. "
    "Officials said deliveries would begin within weeks. Prices for grain rose sharply. "
)


def articles(n: int = 7) -> list[dict]:
    items = []
    for i in range(n):
        outlet = "harbour-gazette" if i % 2 else "eastern-wire"
        item = make_article(i, outlet=outlet, text=f"{TEXT} Story {i}.", event="port-strike")
        item["outlet_attributes"] = {"type": "independent" if i % 2 else "state-aligned"}
        items.append(item)
    items[0]["title"] = '=HYPERLINK("http://evil.example","click")'
    items[1]["title"] = 'Ministry, "quotes"\nand a line break'
    return items


@pytest.fixture
def small_chunks(database_url):
    """An app whose exports read 3 articles per chunk, so a handful of articles spans several chunks."""
    app = make_test_app(database_url, EXPORT_CHUNK_ARTICLES=3)
    yield app
    app.extensions["framescope"]["engine"].dispose()


@pytest.fixture
def stored(small_chunks):
    client = small_chunks.test_client()
    response = client.post("/v1/articles/batch?create_missing=true", json=articles())
    assert response.status_code == 201, response.get_json()
    listed = client.get("/v1/articles?limit=500").get_json()["items"]
    return client, {a["id"]: a for a in listed}


def test_csv_export_round_trips_through_pandas(stored, small_chunks, classifier):
    client, by_id = stored
    with small_chunks.extensions["framescope"]["sessionmaker"]() as session:
        labels = read_classifications(session, list(by_id), classifier.version)
    response = client.get("/v1/articles/export?format=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="articles.csv"'
    assert response.is_streamed
    frame = pd.read_csv(io.BytesIO(response.data), keep_default_na=False)
    assert list(frame["id"]) == sorted(by_id)  # every article once, in id order, across 3 chunks
    assert {"outlet", "outlet_name", "outlet_attr_type", "event", "model_version", "stance_label"} <= set(
        frame.columns
    )
    for key in classifier.codebook.frame_keys:
        assert {f"frame_{key}_present", f"frame_{key}_score", f"frame_{key}_share"} <= set(frame.columns)
    for row in frame.to_dict("records"):
        article, c = by_id[row["id"]], labels[row["id"]]
        assert row["outlet"] == article["outlet"] and row["event"] == "port-strike"
        assert row["model_version"] == classifier.version == c.model.version
        assert row["dominant_frame"] == (c.dominant_frame or "")
        assert row["stance_label"] == (c.stance.label or "")
        for f in c.frames:
            assert bool(row[f"frame_{f.key}_present"]) == f.present
            assert row[f"frame_{f.key}_score"] == f.score  # full precision survives the round trip
            assert row[f"frame_{f.key}_share"] == f.share
        for label, score in c.stance.scores.items():
            assert row[f"stance_{label}"] == score
        assert row["outlet_attr_type"] == (
            "independent" if row["outlet"] == "harbour-gazette" else "state-aligned"
        )
    titles = dict(zip(frame["id"], frame["title"], strict=True))
    first, second = sorted(by_id)[:2]
    assert titles[first] == "'" + by_id[first]["title"]  # a formula is shown, never evaluated
    assert titles[second] == by_id[second]["title"]  # quotes, commas and newlines survive


def test_ndjson_export_has_nested_labels_and_evidence_offsets(stored):
    client, by_id = stored
    response = client.get("/v1/articles/export?format=ndjson&outlet=harbour-gazette")
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    assert response.headers["Content-Disposition"] == 'attachment; filename="articles-harbour-gazette.ndjson"'
    frame = pd.read_json(io.BytesIO(response.data), lines=True)
    expected = sorted(i for i, a in by_id.items() if a["outlet"] == "harbour-gazette")
    assert list(frame["id"]) == expected
    n_evidence = 0
    for line in response.data.decode().splitlines():
        row = json.loads(line)
        assert row["outlet_attributes"] == {"type": "independent"}
        text = by_id[row["id"]]["text"]
        for f in row["classification"]["frames"]:
            assert {"key", "present", "score", "share", "evidence"} <= f.keys()
            for e in f["evidence"]:
                if e.get("field") != "title":
                    assert text[e["start"] : e["end"]] == e["sentence"]
                    n_evidence += 1
        assert set(row["classification"]["stance"]["scores"]) == {"favor", "against", "neutral"}
    assert n_evidence > 0


def test_export_filters_like_the_list(stored, classifier):
    client, by_id = stored
    frame = next(a for a in by_id.values() if a["classification"]["frames"])["classification"]["frames"][0]
    for query in ("outlet=eastern-wire", f"frame={frame}", "event=port-strike", "outlet=nobody"):
        listed = [a["id"] for a in client.get(f"/v1/articles?limit=500&{query}").get_json()["items"]]
        exported = client.get(f"/v1/articles/export?format=ndjson&{query}").data.decode().splitlines()
        assert [json.loads(line)["id"] for line in exported] == listed, query
    empty = client.get("/v1/articles/export?outlet=nobody")
    assert empty.data.decode().startswith("id,outlet,outlet_name,")  # a header, no rows


def test_articles_without_labels_of_the_version_are_exported_with_empty_labels(stored):
    client, by_id = stored
    response = client.get("/v1/articles/export?format=ndjson&model_version=some-older-model")
    rows = [json.loads(line) for line in response.data.decode().splitlines()]
    assert [r["id"] for r in rows] == sorted(by_id)
    assert all(r["classification"] is None for r in rows)


def test_bad_format_and_csv_on_the_list_are_refused(client):
    assert_problem(client.get("/v1/articles/export?format=xlsx"), 422, {"format"})
    body = assert_problem(client.get("/v1/articles?format=csv"), 422, {"format"})
    assert "/v1/articles/export" in body["errors"][0]["detail"]
    assert_problem(client.get("/v1/articles/export?frame=no-such-frame"), 422, {"frame"})


def test_storage_chunks_are_keyset_and_bounded(stored, small_chunks):
    _, by_id = stored
    ids = sorted(by_id)
    with small_chunks.extensions["framescope"]["sessionmaker"]() as session:
        chunks = list(iter_export_chunks(session, {}, model_version="m", chunk_size=2, upto=ids[4]))
        assert [[r["id"] for r in chunk] for chunk in chunks] == [ids[0:2], ids[2:4], ids[4:5]]
        after = list(iter_export_chunks(session, {}, model_version="m", after=ids[5]))
        assert [r["id"] for chunk in after for r in chunk] == ids[6:]


def test_gunicorn_streams_the_export_in_chunks(database_url, tmp_path):
    """Through the asyncio worker the export leaves chunk by chunk (chunked encoding), not buffered."""
    import requests

    from tests.service.live import live_server

    with live_server(database_url, tmp_path, EXPORT_CHUNK_ARTICLES="2") as server:
        posted = requests.post(
            server.url + "/v1/articles/batch?create_missing=true", json=articles(9), timeout=60
        )
        assert posted.status_code == 201
        response = requests.get(server.url + "/v1/articles/export?format=ndjson", stream=True, timeout=60)
        assert response.headers["Transfer-Encoding"] == "chunked"
        assert "Content-Length" not in response.headers
        lines = [json.loads(line) for line in response.iter_lines() if line]
        assert len(lines) == 9
        small = requests.get(server.url + "/v1/articles?limit=1", timeout=10)
        assert "Content-Length" in small.headers  # ordinary answers are still sent in one piece
