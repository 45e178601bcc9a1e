"""Import jobs (POST /v1/jobs/import): NDJSON and CSV files stored and labelled in committed chunks,
bad records listed by line and field, limits (413, 415, 422), and resume after a kill without duplicates."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from service.jobs.runner import run_job
from service.storage import jobs as dao
from service.storage.tables import Article, Classification, utcnow
from tests.conftest import make_test_app
from tests.service.conftest import assert_problem, make_article
from tests.service.test_jobs import Killed, wait_for

NDJSON = "application/x-ndjson"


@pytest.fixture
def app(database_url, tmp_path):
    app = make_test_app(
        database_url,
        JOB_CHUNK_ARTICLES=2,
        JOB_EXECUTOR="thread",
        JOB_RESULTS_DIR=str(tmp_path / "shared"),
        MAX_IMPORT_BYTES=20_000,
    )
    yield app
    app.extensions["framescope"]["engine"].dispose()


def ndjson(items: list) -> bytes:
    return b"".join(
        (line if isinstance(line, bytes) else json.dumps(line).encode()) + b"\n" for line in items
    )


def post_import(client, body: bytes, content_type: str, query: str = "?create_missing=true") -> dict:
    response = client.post(f"/v1/jobs/import{query}", data=body, content_type=content_type)
    assert response.status_code == 202, response.get_json()
    assert response.headers["Location"].endswith(f"/v1/jobs/{response.get_json()['id']}")
    return wait_for(client, response.headers["Location"])


def counts(db_session) -> tuple[int, int]:
    db_session.rollback()  # a fresh snapshot: the job committed in another session
    n_articles = db_session.scalar(select(func.count()).select_from(Article))
    n_labels = db_session.scalar(select(func.count()).select_from(Classification))
    return n_articles, n_labels


def test_ndjson_import_stores_and_labels_good_lines_and_lists_bad_ones(client, db_session, app, tmp_path):
    lines = [
        make_article(0),
        make_article(1),
        b"{not json",  # line 3
        make_article(2, text=""),  # line 4: text
        make_article(0),  # line 5: a duplicate of line 1 (not an error)
        make_article(3, url="ftp://x", published_at="yesterday"),  # line 6: url and published_at
        b"",  # blank lines are skipped but counted
        make_article(4, outlet="never-heard-of"),
        make_article(5),
    ]
    job = post_import(client, ndjson(lines), NDJSON, query="")  # no create_missing: line 8 is unknown
    assert job["status"] == "succeeded", job
    assert job["kind"] == "import" and job["params"]["format"] == "ndjson"
    assert (job["total"], job["done"]) == (8, 8)  # records, not lines
    result = job["result"]
    assert (result["n_created"], result["n_existing"], result["n_invalid"]) == (0, 0, 8)
    by_line = {}
    for error in job["errors"]:
        by_line.setdefault(error["line"], set()).add(error["field"])
    assert set(by_line) == {1, 2, 3, 4, 5, 6, 8, 9}  # outlet daily-planet does not exist either
    assert by_line[3] == {None} and by_line[4] == {"text"} and by_line[6] == {"url", "published_at"}
    assert by_line[8] == {"outlet"}

    job = post_import(client, ndjson(lines), NDJSON)  # create_missing: the outlets are created
    assert job["status"] == "succeeded", job
    assert (job["result"]["n_created"], job["result"]["n_existing"], job["result"]["n_invalid"]) == (4, 1, 3)
    assert {e["line"] for e in job["errors"]} == {3, 4, 6} and job["n_errors"] == 4
    assert counts(db_session) == (4, 4)  # each stored article labelled once
    uploads = tmp_path / "shared" / "imports"
    deadline = time.monotonic() + 10
    while list(uploads.iterdir()) and time.monotonic() < deadline:  # removed just after the commit
        time.sleep(0.05)
    assert not list(uploads.iterdir())

    again = post_import(client, ndjson(lines), NDJSON)
    assert (again["result"]["n_created"], again["result"]["n_existing"]) == (0, 5)
    assert counts(db_session) == (4, 4)


CSV = (
    "outlet,title,published_at,text\n"
    'daily-planet,First,2026-03-01,"The council voted on the budget.\nCritics said it cuts services."\n'
    "daily-planet,Second,not-a-date,The mayor defended the plan at length today.\n"
    "\n"
    "evening-star,Third,2026-03,Unions called a strike over the council budget cuts.\n"
    "evening-star,Fourth,2026-03-02,Protesters gathered outside the hall,extra\n"
)


def test_csv_import_reports_the_line_each_bad_row_starts_on(client, db_session):
    job = post_import(client, CSV.encode(), "text/csv")
    assert job["status"] == "succeeded", job
    assert job["total"] == 4 and job["result"]["n_created"] == 2
    assert [(e["line"], e["field"]) for e in job["errors"]] == [(4, "published_at"), (7, None)]
    assert counts(db_session) == (2, 2)
    titles = sorted(a["title"] for a in client.get("/v1/articles").get_json()["items"])
    assert titles == ["First", "Third"]


def test_upload_limits_and_refusals_are_problems(client, app, tmp_path):
    limits = client.get("/v1/limits").get_json()
    assert limits["max_import_bytes"] == 20_000
    big = ndjson([make_article(i, text="word " * 400) for i in range(20)])
    assert len(big) > 20_000
    assert_problem(client.post("/v1/jobs/import", data=big, content_type=NDJSON), 413, {"body"})
    assert_problem(client.post("/v1/jobs/import", data=b"[]", content_type="application/json"), 415)
    assert_problem(client.post("/v1/jobs/import", data=b"", content_type=NDJSON), 422, {"body"})
    header = b"outlet,colour,text\nx,red,Some text here.\n"
    assert_problem(client.post("/v1/jobs/import", data=header, content_type="text/csv"), 422, {"colour"})
    assert_problem(client.post("/v1/jobs", json={"kind": "import"}), 422, {"kind"})
    assert client.get("/v1/jobs").get_json()["items"] == []  # nothing refused became a job
    assert not list((tmp_path / "shared" / "imports").iterdir())  # nor left a file behind


def test_too_many_bad_records_fail_the_job_and_keep_what_was_stored(client, app, db_session):
    app.config["IMPORT_MAX_INVALID"] = 2
    lines = [make_article(0), make_article(1), b"{", b"{", b"{", b"{", make_article(2)]
    job = post_import(client, ndjson(lines), NDJSON)  # chunks of 2: fails after the third
    assert job["status"] == "failed"
    assert job["result"]["n_created"] == 2 and job["result"]["n_invalid"] == 4
    assert "IMPORT_MAX_INVALID" in job["errors"][-1]["detail"]
    assert counts(db_session) == (2, 2)


def test_an_import_killed_mid_chunk_resumes_without_duplicates(app, client, db_session, monkeypatch):
    import service.jobs.runner as runner

    lines = [make_article(i) for i in range(7)]
    response = client.post("/v1/jobs/import?create_missing=true", data=ndjson(lines), content_type=NDJSON)
    job_id = response.get_json()["id"]
    wait_for(client, f"/v1/jobs/{job_id}")
    db_session.execute(Classification.__table__.delete())
    db_session.execute(Article.__table__.delete())
    db_session.commit()

    with app.app_context():  # the same file again, run by hand: dies after storing its second chunk
        job = dao.create_job(db_session, "import", {"format": "ndjson", "create_missing": True})
        db_session.commit()
        path = runner.upload_path(job.id, "ndjson")
        path.write_bytes(ndjson(lines))
        real, calls = runner.store_records, []

        def dies_on_second_chunk(session, batch, **kwargs):
            calls.append(batch)
            stored = real(session, batch, **kwargs)  # written, not committed
            if len(calls) == 2:
                raise Killed
            return stored

        monkeypatch.setattr(runner, "store_records", dies_on_second_chunk)
        with pytest.raises(Killed):
            run_job(job.id)
        db_session.expire_all()
        stuck = dao.get_job(db_session, job.id)
        assert (stuck.status, stuck.done, stuck.result["line"]) == ("running", 2, 2)
        assert counts(db_session) == (2, 2)
        monkeypatch.setattr(runner, "store_records", real)
        dao.requeue_stale_jobs(db_session, stale_before=utcnow() + timedelta(seconds=1))
        db_session.commit()
        assert run_job(job.id) == "succeeded"
    finished = client.get(f"/v1/jobs/{job.id}").get_json()
    assert (finished["done"], finished["total"], finished["attempt"]) == (7, 7, 2)
    assert finished["result"]["n_created"] == 7 and finished["n_errors"] == 0
    assert counts(db_session) == (7, 7)


def test_the_gunicorn_front_reads_an_import_past_the_batch_body_limit(app):
    """service/asgi.py cuts bodies at MAX_CONTENT_LENGTH; an import's limit is MAX_IMPORT_BYTES."""
    import asyncio

    from service.asgi import BufferedWSGI

    front = BufferedWSGI(app, max_body=100, large_bodies={"/v1/jobs/import": 20_000})
    body = b"x" * 5_000

    def read(path: str) -> bytes:
        messages = iter(
            [
                {"type": "http.request", "body": body[:2_500], "more_body": True},
                {"type": "http.request", "body": body[2_500:], "more_body": False},
            ]
        )

        async def receive() -> dict:
            return next(messages)

        spooled = asyncio.run(front.read_body({"path": path, "headers": []}, receive))
        return spooled.read()

    assert read("/v1/jobs/import") == body
    assert read("/v1/articles/batch") == body[:101]  # one byte past the limit: Flask answers 413


def test_through_gunicorn_an_import_may_be_larger_than_a_batch(database_url, tmp_path):
    """The real server (gunicorn + service/asgi.py): a file over MAX_CONTENT_LENGTH is imported, the same
    body as a batch is a 413, and a file over MAX_IMPORT_BYTES is a 413 naming ``body``."""
    import requests

    from tests.service.live import live_server

    lines = ndjson(
        [make_article(i, text=f"{'The council voted on the budget. ' * 20} {i}") for i in range(80)]
    )
    assert 20_000 < len(lines) < 200_000
    settings = {
        "MAX_CONTENT_LENGTH": "20000",
        "MAX_IMPORT_BYTES": "200000",
        "JOB_EXECUTOR": "thread",
        "JOB_RESULTS_DIR": str(tmp_path / "shared"),
    }
    with live_server(database_url, tmp_path, **settings) as server:
        headers = {"Content-Type": NDJSON}
        batch = requests.post(f"{server.url}/v1/articles/batch", data=lines, headers=headers, timeout=30)
        assert batch.status_code == 413
        started = requests.post(
            f"{server.url}/v1/jobs/import?create_missing=true", data=lines, headers=headers, timeout=30
        )
        assert started.status_code == 202, started.text
        deadline = time.monotonic() + 120
        while (job := requests.get(started.headers["Location"], timeout=10).json())["status"] in (
            "queued",
            "running",
        ):
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        assert job["status"] == "succeeded" and job["result"]["n_created"] == 80, job
        too_big = requests.post(f"{server.url}/v1/jobs/import", data=lines * 4, headers=headers, timeout=30)
        assert too_big.status_code == 413 and too_big.headers["Content-Type"] == "application/problem+json"
        assert [e["field"] for e in too_big.json()["errors"]] == ["body"]
