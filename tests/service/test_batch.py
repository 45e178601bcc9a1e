"""POST /v1/articles/batch: atomic, deduplicated, JSON array or NDJSON, 10,000 items."""

import json
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy import text as sa_text

from service.storage.tables import Article, Outlet
from tests.service.conftest import assert_problem, make_article

N_LARGE = 10_000


def count_articles(db_session):
    return db_session.scalar(select(func.count()).select_from(Article))


def test_valid_batch_of_10000_stores_all(client, db_session):
    items = [make_article(i, outlet=f"outlet-{i % 7}") for i in range(N_LARGE)]
    response = client.post("/v1/articles/batch?create_missing=true", json=items)
    assert response.status_code == 201
    body = response.get_json()
    assert (body["n_items"], body["n_created"], body["n_existing"]) == (N_LARGE, N_LARGE, 0)
    assert [row["index"] for row in body["items"]] == list(range(N_LARGE))
    assert len({row["id"] for row in body["items"]}) == N_LARGE
    assert count_articles(db_session) == N_LARGE
    assert db_session.scalar(select(func.count()).select_from(Outlet)) == 7
    stored = client.get(f"/v1/articles/{body['items'][1234]['id']}").get_json()
    assert stored["url"] == items[1234]["url"] and stored["outlet"] == "outlet-2"


def test_invalid_batch_of_10000_stores_nothing_and_names_every_bad_item(client, db_session):
    items = [make_article(i) for i in range(N_LARGE)]
    items[17]["url"] = "not a url"
    items[4242]["outlet"] = "  "
    items[9999]["published_at"] = "2026-13-45"
    items[9999]["text"] = ""
    response = client.post("/v1/articles/batch?create_missing=true", json=items)
    body = assert_problem(response, 422)
    assert sorted((e["index"], e["field"]) for e in body["errors"]) == [
        (17, "url"),
        (4242, "outlet"),
        (9999, "published_at"),
        (9999, "text"),
    ]
    assert {e["pointer"] for e in body["errors"]} >= {"/17/url", "/4242/outlet"}
    assert count_articles(db_session) == 0
    assert db_session.scalar(select(func.count()).select_from(Outlet)) == 0


def test_unknown_references_fail_the_whole_batch(client, db_session, outlet):
    items = [make_article(0), make_article(1, outlet="nobody"), make_article(2, event="nothing")]
    body = assert_problem(client.post("/v1/articles/batch", json=items), 422)
    assert [(e["index"], e["field"]) for e in body["errors"]] == [(1, "outlet"), (2, "event")]
    assert count_articles(db_session) == 0


def test_duplicates_inside_the_batch_and_against_stored_rows(client, db_session, outlet):
    stored = client.post("/v1/articles", json=make_article(0)).get_json()
    items = [
        make_article(0, text="Other text, same URL."),  # same URL as the stored one
        make_article(1),
        make_article(1, url="https://planet.example.com/elsewhere"),  # same text as item 1
        make_article(2),
        make_article(2),  # exact repeat
    ]
    response = client.post("/v1/articles/batch", json=items)
    assert response.status_code == 201
    rows = response.get_json()["items"]
    assert rows[0] == {"index": 0, "id": stored["id"], "created": False}
    assert rows[2]["id"] == rows[1]["id"] and rows[1]["created"] and not rows[2]["created"]
    assert rows[4]["id"] == rows[3]["id"] and rows[3]["created"] and not rows[4]["created"]
    assert response.get_json()["n_created"] == 2
    assert count_articles(db_session) == 3
    again = client.post("/v1/articles/batch", json=items)
    assert again.status_code == 200 and again.get_json()["n_created"] == 0


def test_ndjson_body(client, db_session, outlet):
    body = "\n".join(json.dumps(make_article(i)) for i in range(3)) + "\n\n"
    response = client.post("/v1/articles/batch", data=body, content_type="application/x-ndjson")
    assert response.status_code == 201
    assert count_articles(db_session) == 3


def test_ndjson_bad_line_is_400_naming_the_item(client, db_session, outlet):
    body = json.dumps(make_article(0)) + "\n{oops\n" + json.dumps(make_article(2))
    problem = assert_problem(
        client.post("/v1/articles/batch", data=body, content_type="application/x-ndjson"), 400
    )
    assert [e["index"] for e in problem["errors"]] == [1]
    assert "Line 2" in problem["errors"][0]["detail"]
    assert count_articles(db_session) == 0


@pytest.mark.parametrize("payload", [[], {"outlet": "x"}, "text"])
def test_body_must_be_a_non_empty_list(client, payload):
    assert_problem(client.post("/v1/articles/batch", json=payload), 422)


def test_more_than_max_batch_items_is_refused(client, db_session, app):
    app.config["MAX_BATCH_ITEMS"] = 3
    body = assert_problem(
        client.post("/v1/articles/batch?create_missing=true", json=[make_article(i) for i in range(4)]), 422
    )
    assert "At most 3" in body["errors"][0]["detail"]
    assert count_articles(db_session) == 0


def test_concurrent_identical_posts_store_one_row(app, db_session):
    """Racing requests (threads, separate connections) end with one row and agree on its id."""
    n_threads = 8
    barrier = threading.Barrier(n_threads)
    results = []

    def post_once():
        client = app.test_client()
        barrier.wait()
        response = client.post("/v1/articles?create_missing=true", json=make_article(1, outlet="race"))
        results.append((response.status_code, response.get_json()["id"]))

    threads = [threading.Thread(target=post_once) for _ in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in results) == [200] * (n_threads - 1) + [201]
    assert len({article_id for _, article_id in results}) == 1
    assert count_articles(db_session) == 1


def test_concurrent_overlapping_batches(app, db_session):
    """Two batches sharing half their articles: every article stored once, both requests succeed."""
    barrier = threading.Barrier(2)
    results = {}

    def post_batch(name, start):
        client = app.test_client()
        items = [make_article(i, outlet="race") for i in range(start, start + 200)]
        barrier.wait()
        results[name] = client.post("/v1/articles/batch?create_missing=true", json=items)

    threads = [threading.Thread(target=post_batch, args=(n, s)) for n, s in (("a", 0), ("b", 100))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r.status_code == 201 for r in results.values())
    ids_a = {row["index"] + 0: row["id"] for row in results["a"].get_json()["items"]}
    ids_b = {row["index"] + 100: row["id"] for row in results["b"].get_json()["items"]}
    assert all(ids_a[i] == ids_b[i] for i in range(100, 200))
    assert results["a"].get_json()["n_created"] + results["b"].get_json()["n_created"] == 300
    assert count_articles(db_session) == 300


def test_post_racing_an_uncommitted_duplicate_returns_the_winner(app, client, database_url):
    """Deterministic race: another transaction has inserted the same article but not committed yet.

    On PostgreSQL our lookup cannot see that row, our INSERT waits on the unique index and then skips
    it; on SQLite the request waits for the write lock. Either way the test first proves the request
    is blocked by the uncommitted winner (else no race happened), then commits the winner: the
    article must resolve to the winner's id (200), not fail or duplicate.
    """
    from service.storage.articles import ingest_articles

    client.post("/v1/outlets", json={"key": "race", "name": "Race"})
    other = app.extensions["framescope"]["write_sessionmaker"]()
    winner = ingest_articles(other, [make_article(1, outlet="race", published_at=None)])
    results = []
    thread = threading.Thread(
        target=lambda: results.append(
            app.test_client().post("/v1/articles", json=make_article(1, outlet="race"))
        )
    )
    thread.start()
    wait_until_blocked(app, database_url, thread)
    other.commit()
    other.close()
    thread.join()
    [response] = results
    assert response.status_code == 200
    assert response.get_json()["id"] == winner.ids[0]


def wait_until_blocked(app, database_url: str, thread: threading.Thread, timeout: float = 30.0) -> None:
    """Return once ``thread``'s request waits on another transaction's lock (fail if it never does)."""
    import time

    deadline = time.monotonic() + timeout
    if database_url.startswith("postgresql"):
        probe = app.extensions["framescope"]["engine"]
        query = sa_text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO articles%'"
        )
        while True:
            with probe.connect() as connection:
                if connection.scalar(query):
                    return
            assert thread.is_alive(), "the request finished without waiting: no race happened"
            assert time.monotonic() < deadline, "the request never waited on the uncommitted row"
            time.sleep(0.01)
    # SQLite: the request blocks in BEGIN IMMEDIATE while the winner holds the write lock; still
    # running a second after that (a one-row insert) means it is waiting there.
    thread.join(timeout=1.0)
    assert thread.is_alive(), "the request finished without waiting for the write lock: no race"
