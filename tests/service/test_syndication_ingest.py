"""Syndication at ingest: clusters on article responses, stored comparisons read them, concurrent ingest."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import delete, select

from service.storage.articles import ingest_articles
from service.storage.signatures import sign_articles
from service.storage.tables import ArticleBand, ArticleSignature
from tests.collection import EVENTS, WIRE, WIRE_REPRINTS, articles
from tests.service.conftest import make_article

COPIES = {  # reworded, trimmed and intro-added copies of the wire story, each from another outlet
    "copy-verbatim": WIRE,
    "copy-trimmed": " ".join(WIRE.split()[:70]),
    "copy-intro": "From our correspondent, with agency reports. " + WIRE,
    "copy-reworded": WIRE.replace("officials", "diplomats").replace("businesslike", "calm"),
}


def post(client, outlet, text, i):
    body = make_article(i, outlet=outlet, text=text, url=f"https://{outlet}.example/{i}")
    response = client.post("/v1/articles?create_missing=true", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)[:300]
    return response.get_json()


def test_copies_join_the_first_articles_cluster(client):
    ids = [post(client, outlet, text, i)["id"] for i, (outlet, text) in enumerate(COPIES.items())]
    other = post(client, "other-outlet", articles()[0]["text"], 99)
    assert other["syndication_cluster"] is None
    for article_id in ids:
        assert client.get(f"/v1/articles/{article_id}").get_json()["syndication_cluster"] == ids[0]
    listed = client.get("/v1/articles?limit=50").get_json()["items"]
    assert [a["syndication_cluster"] for a in listed] == [ids[0]] * 4 + [None]
    again = client.post(
        "/v1/articles?create_missing=true",
        json=make_article(0, outlet="copy-verbatim", text=WIRE, url="https://copy-verbatim.example/0"),
    )
    assert again.status_code == 200 and again.get_json()["syndication_cluster"] == ids[0]  # idempotent


def test_a_changed_text_leaves_the_cluster(client):
    first = post(client, "copy-verbatim", WIRE, 1)
    second = post(client, "copy-trimmed", COPIES["copy-trimmed"], 2)
    assert second["syndication_cluster"] == first["id"]
    etag = client.get(f"/v1/articles/{second['id']}").headers["ETag"]
    patched = client.patch(
        f"/v1/articles/{second['id']}", json={"text": articles()[0]["text"]}, headers={"If-Match": etag}
    )
    assert patched.status_code == 200 and patched.get_json()["syndication_cluster"] is None


def test_bulk_load_without_signing_then_sign_missing(database_url):
    """With SYNDICATION_AT_INGEST off nothing is signed; ``flask sign --missing`` clusters afterwards."""
    from tests.service.security_helpers import app_with

    with app_with(database_url, SYNDICATION_AT_INGEST=False) as app:
        client = app.test_client()
        ids = [post(client, outlet, text, i)["id"] for i, (outlet, text) in enumerate(COPIES.items())]
        assert {client.get(f"/v1/articles/{i}").get_json()["syndication_cluster"] for i in ids} == {None}
        with app.extensions["framescope"]["write_sessionmaker"]() as session:
            assert session.scalars(select(ArticleSignature.article_id)).all() == []
        result = app.test_cli_runner().invoke(args=["sign", "--missing", "--chunk-size", "3"])
        assert result.exit_code == 0, result.output
        assert "signed 4 article(s)" in result.output
        clusters = {client.get(f"/v1/articles/{i}").get_json()["syndication_cluster"] for i in ids}
        assert clusters == {ids[0]}
        rerun = app.test_cli_runner().invoke(args=["sign", "--missing"])
        assert "signed 0 article(s)" in rerun.output  # resumable: nothing left to do


@pytest.fixture
def stored(client):
    batch = [{k: v for k, v in a.items() if k != "id"} for a in articles()]
    response = client.post("/v1/articles/batch?create_missing=true", json=batch)
    assert response.status_code == 201
    return {a["id"]: row["id"] for a, row in zip(articles(), response.get_json()["items"], strict=True)}


def test_stored_comparisons_use_the_clusters_assigned_at_ingest(client, db_session, stored):
    wire = sorted(stored[f"{o}/{EVENTS[1]}"] for o in WIRE_REPRINTS)
    for article_id in wire:
        assert client.get(f"/v1/articles/{article_id}").get_json()["syndication_cluster"] == wire[0]
    body = client.get(f"/v1/events/{EVENTS[1]}/comparison?group_by=type").get_json()
    assert body["metadata"]["syndication_method"] == "stored-at-ingest"
    (cluster,) = body["tables"]["syndication"]
    assert sorted(cluster["article_ids"]) == wire and cluster["min_similarity"] >= 0.6
    independent = next(r for r in body["tables"]["groups"] if r["group"] == "independent")
    assert (independent["n_articles"], independent["n_effective"]) == (6, 3)
    # An article stored before revision 0007 has no signature: the comparison reads no text to find
    # its copies (that would mean every text of the selection); it counts it as unsyndicated and says
    # how to sign it.
    db_session.execute(delete(ArticleSignature).where(ArticleSignature.article_id == wire[0]))
    db_session.execute(delete(ArticleBand).where(ArticleBand.article_id == wire[0]))
    db_session.commit()
    body = client.get(f"/v1/events/{EVENTS[1]}/comparison?group_by=type").get_json()
    assert body["metadata"]["syndication_method"] == "stored-at-ingest"
    assert body["metadata"]["n_unsigned"] == 1
    assert "flask sign --missing" in body["metadata"]["syndication_note"]
    assert sorted(body["tables"]["syndication"][0]["article_ids"]) == wire[1:]
    result = client.application.test_cli_runner().invoke(args=["sign", "--missing"])
    assert result.exit_code == 0, result.output
    across = client.get("/v1/comparisons?events=all&group_by=type").get_json()
    assert across["metadata"]["syndication_method"] == "stored-at-ingest"
    assert across["metadata"]["n_unsigned"] == 0 and "syndication_note" not in across["metadata"]
    assert sorted(across["tables"]["syndication"][0]["article_ids"]) == wire


def test_concurrent_copies_in_separate_transactions_get_one_cluster(app, backend):
    """Eight transactions insert copies, wait for each other, then assign clusters and commit."""
    if backend != "postgresql":
        pytest.skip("SQLite serialises writers at BEGIN IMMEDIATE: the copies cannot overlap")
    n = 8
    barrier = threading.Barrier(n)
    factory = app.extensions["framescope"]["write_sessionmaker"]
    text = WIRE

    def ingest(i: int) -> int:
        with factory() as session:
            body = make_article(
                i, outlet=f"racer-{i}", text=text + f" Copy {i}.", url=f"https://r{i}.example/"
            )
            body.pop("published_at")  # the DAO takes validated values (a datetime or nothing)
            (article_id,) = ingest_articles(session, [body], create_missing=True).ids
            barrier.wait(timeout=30)  # every copy inserted, none committed
            sign_articles(session, [article_id])
            session.commit()
            return article_id

    with ThreadPoolExecutor(n) as pool:
        ids = list(pool.map(ingest, range(n)))
    with factory() as session:
        clusters = dict(
            session.execute(select(ArticleSignature.article_id, ArticleSignature.cluster_id)).all()
        )
    assert {clusters[i] for i in ids} == {min(ids)}


def test_a_copy_waits_for_the_transaction_assigning_clusters(app, backend):
    """The second transaction blocks in the assignment step until the first commits, then joins it."""
    if backend != "postgresql":
        pytest.skip("SQLite serialises writers at BEGIN IMMEDIATE")
    factory = app.extensions["framescope"]["write_sessionmaker"]

    def ingest(session, i: int) -> int:
        body = make_article(i, outlet=f"waiter-{i}", text=WIRE + f" Copy {i}.", url=f"https://w{i}.example/")
        body.pop("published_at")
        (article_id,) = ingest_articles(session, [body], create_missing=True).ids
        sign_articles(session, [article_id])
        return article_id

    with factory() as first, factory() as second:
        first_id = ingest(first, 1)
        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(lambda: (ingest(second, 2), second.commit()))
            with pytest.raises(TimeoutError):
                waiting.result(timeout=1.0)  # blocked on the advisory lock the first one holds
            first.commit()
            waiting.result(timeout=30)
    with factory() as session:
        clusters = dict(
            session.execute(select(ArticleSignature.article_id, ArticleSignature.cluster_id)).all()
        )
    assert set(clusters.values()) == {first_id}


def test_a_copy_of_a_much_reprinted_story_reads_only_the_latest_copies(app, monkeypatch):
    """The 31st verbatim copy joins the first copy's cluster while the lookup reads only the
    ``BUCKET_WINDOW`` latest stored copies (what LSH compares it with), not all 30: the work and
    memory of storing a copy do not grow with how often the story was stored before."""
    import service.storage.signatures as signatures
    from comparison.syndication import BUCKET_WINDOW

    factory = app.extensions["framescope"]["write_sessionmaker"]

    def store(i: int) -> int:
        with factory() as session:
            body = make_article(i, outlet=f"reprint-{i}", text=WIRE, url=f"https://reprint{i}.example/")
            body.pop("published_at")
            (article_id,) = ingest_articles(session, [body], create_missing=True).ids
            sign_articles(session, [article_id])
            session.commit()
            return article_id

    ids = [store(i) for i in range(30)]
    read: list[int] = []
    real = signatures.assign_clusters

    def spy(new_ids, new, known_ids, *args, **kwargs):
        read.extend(known_ids)
        return real(new_ids, new, known_ids, *args, **kwargs)

    monkeypatch.setattr(signatures, "assign_clusters", spy)
    last = store(30)
    assert sorted(read) == ids[-BUCKET_WINDOW:]
    with factory() as session:
        clusters = dict(
            session.execute(select(ArticleSignature.article_id, ArticleSignature.cluster_id)).all()
        )
    assert {clusters[i] for i in [*ids, last]} == {ids[0]}


def test_signing_more_articles_than_one_write_chunk_stores_every_band_row(app):
    """Band rows are written in chunks of 1,000 articles: an article past the first chunk is found
    by a later copy, and every signed article has its 42 band keys stored."""
    import random

    from sqlalchemy import func

    rng = random.Random(3)
    vocabulary = [f"w{i}" for i in range(5000)]
    texts = [" ".join(rng.choices(vocabulary, k=40)) for _ in range(1030)]
    factory = app.extensions["framescope"]["write_sessionmaker"]
    with factory() as session:
        items = [
            {**make_article(i, outlet="bulk-wire", text=t, url=f"https://bulk.example/{i}")}
            for i, t in enumerate(texts)
        ]
        for item in items:
            item.pop("published_at")
        ids = ingest_articles(session, items, create_missing=True).ids
        sign_articles(session, ids)
        session.commit()
        n_bands = session.scalar(select(func.count()).select_from(ArticleBand))
        per_article = n_bands // len(ids)
    assert n_bands == per_article * len(ids) and per_article == 42
    copy = post(app.test_client(), "reprinter", texts[1020], 5000)
    assert copy["syndication_cluster"] == ids[1020]
