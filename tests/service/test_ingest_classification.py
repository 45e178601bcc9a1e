"""Classify on ingest, frame/stance filters, /v1/models, /v1/codebooks and `flask classify --missing`."""

from __future__ import annotations

from sqlalchemy import func, select

from service.storage.tables import Classification
from tests.service.conftest import assert_problem, make_article
from tests.service.test_classify import NUCLEAR, PLEDGE


def ingest(client, articles):
    body = client.post("/v1/articles/batch?create_missing=true", json=articles).get_json()
    return [row["id"] for row in body["items"]]


def test_post_stores_and_returns_the_classification(client, classifier, db_session):
    response = client.post("/v1/articles?create_missing=true", json=make_article(1, **PLEDGE))
    assert response.status_code == 201
    summary = response.get_json()["classification"]
    assert "support-commitment" in summary["frames"]
    assert summary["model"]["version"] == classifier.version
    assert summary["model"]["codebook_hash"] == classifier.codebook.hash
    stored = db_session.scalars(select(Classification)).one()
    assert stored.model_version == classifier.version and stored.status == "ok"
    again = client.get(response.headers["Location"]).get_json()
    assert again["classification"] == summary


def test_batch_classifies_every_new_article_and_filters_work(client, db_session):
    ids = ingest(
        client,
        [make_article(1, **PLEDGE), make_article(2, **NUCLEAR), make_article(3, outlet="other", **NUCLEAR)],
    )
    assert db_session.scalar(select(func.count()).select_from(Classification)) == 3

    def listed(query):
        response = client.get(f"/v1/articles?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return [a["id"] for a in response.get_json()["items"]]

    assert listed("frame=support-commitment") == [ids[0]]
    assert listed("frame=escalation-risk") == [ids[1], ids[2]]
    assert listed("frame=escalation-risk&outlet=other") == [ids[2]]
    pledge_stance = client.get(f"/v1/articles/{ids[0]}").get_json()["classification"]["stance"]["label"]
    assert ids[0] in listed(f"stance={pledge_stance}&target=ukraine-support")
    assert listed("frame=support-commitment&model_version=some-old-model") == []


def test_bad_filters_are_422_naming_the_field(client):
    assert_problem(client.get("/v1/articles?frame=nonsense"), 422, fields={"frame"})
    assert_problem(client.get("/v1/articles?stance=maybe"), 422, fields={"stance"})
    assert_problem(client.get("/v1/articles?target=mars"), 422, fields={"target"})


def test_patching_the_text_reclassifies(client):
    created = client.post("/v1/articles?create_missing=true", json=make_article(1, **PLEDGE))
    url = created.headers["Location"]
    etag = client.get(url).headers["ETag"]
    patched = client.patch(url, json={"text": NUCLEAR["text"]}, headers={"If-Match": etag})
    assert patched.status_code == 200, patched.get_data(as_text=True)
    assert "escalation-risk" in patched.get_json()["classification"]["frames"]
    assert client.get(url).headers["ETag"] == patched.headers["ETag"]


def test_classify_missing_command(app, client, runner, db_session, classifier):
    pledges = [make_article(i, title=PLEDGE["title"], text=f"{PLEDGE['text']} Update {i}.") for i in range(3)]
    ids = ingest(client, pledges)
    assert len(set(ids)) == 3
    db_session.execute(Classification.__table__.delete().where(Classification.article_id.in_(ids[:2])))
    db_session.commit()
    result = runner.invoke(args=["classify", "--missing", "--chunk-size", "1"])
    assert result.exit_code == 0, result.output
    assert f"classified 2 article(s) with {classifier.version}" in result.output
    assert db_session.scalar(select(func.count()).select_from(Classification)) == 3
    assert "classified 0" in runner.invoke(args=["classify", "--missing"]).output


def test_models_describes_the_served_model_and_stored_versions(client, classifier):
    ingest(client, [make_article(1, **PLEDGE)])
    body = client.get("/v1/models").get_json()
    assert body["version"] == classifier.version
    assert body["codebook_hash"] == classifier.codebook.hash
    assert body["manifest"]["version"] == classifier.version
    assert body["metrics"]
    assert body["stored_versions"][0] | {"last_stored_at": None} == {
        "version": classifier.version,
        "codebook": "conflict",
        "codebook_hash": classifier.codebook.hash,
        "n_articles": 1,
        "last_stored_at": None,
    }


def test_codebooks(client, classifier):
    body = client.get("/v1/codebooks/conflict").get_json()
    assert body["hash"] == classifier.codebook.hash and body["served"] is True
    assert [f["key"] for f in body["frames"]] == list(classifier.codebook.frame_keys)
    assert body["frames"][0]["definition"]
    listing = client.get("/v1/codebooks").get_json()
    assert {"key": "conflict", "served": True}.items() <= listing["items"][0].items()
    body = assert_problem(client.get("/v1/codebooks/no-such-book"), 404)
    assert "conflict" in body["detail"]
