"""/v1/jobs with the in-process executor (no queue): lifecycle, idempotence, cancel, resume after a crash."""

from __future__ import annotations

import io
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from service.jobs.runner import result_path, run_job
from service.storage import jobs as dao
from service.storage.classifications import delete_classifications
from service.storage.tables import ArticleFrame, Classification, Job, JobPart, utcnow
from tests.conftest import make_test_app
from tests.service.conftest import assert_problem, make_article

N_ARTICLES = 9


@pytest.fixture
def app(database_url):
    """Jobs work in chunks of 2 articles, so a handful of articles spans several commits."""
    app = make_test_app(database_url, JOB_CHUNK_ARTICLES=2, EXPORT_CHUNK_ARTICLES=2, JOB_EXECUTOR="thread")
    yield app
    app.extensions["framescope"]["engine"].dispose()


@pytest.fixture
def stored(client):
    items = [make_article(i, outlet="daily-planet" if i % 3 else "evening-star") for i in range(N_ARTICLES)]
    response = client.post("/v1/articles/batch?create_missing=true", json=items)
    assert response.status_code == 201
    return [item["id"] for item in response.get_json()["items"]]


def wait_for(client, location: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(location).get_json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.05)
    raise TimeoutError(job)


def post_job(client, body: dict) -> dict:
    response = client.post("/v1/jobs", json=body)
    assert response.status_code == 202, response.get_json()
    assert response.headers["Location"].endswith(f"/v1/jobs/{response.get_json()['id']}")
    return wait_for(client, response.headers["Location"])


def label_counts(session, version: str) -> tuple[int, int, int]:
    n_rows = session.scalar(
        select(func.count()).select_from(Classification).where(Classification.model_version == version)
    )
    n_articles = session.scalar(
        select(func.count(func.distinct(Classification.article_id))).where(
            Classification.model_version == version
        )
    )
    n_frames = session.scalar(select(func.count()).select_from(ArticleFrame))
    return n_rows, n_articles, n_frames


def test_classify_job_labels_what_is_missing_and_force_redoes_all(client, stored, db_session, classifier):
    n_frames = len(classifier.codebook.frame_keys)
    job = post_job(client, {"kind": "classify"})
    assert job["status"] == "succeeded", job
    assert (job["total"], job["done"], job["result"]["n_classified"]) == (N_ARTICLES, N_ARTICLES, 0)
    assert (
        job["result"]["model_version"] == classifier.version
        and job["rate"] > 0
        and job["eta_seconds"] is None
    )

    for article_id in stored[:4]:
        delete_classifications(db_session, article_id)
    db_session.commit()
    job = post_job(client, {"kind": "classify", "filter": {"outlet": "daily-planet"}})
    in_outlet = [a for i, a in enumerate(stored) if i % 3]
    assert job["total"] == len(in_outlet)
    assert job["result"]["n_classified"] == len([a for a in stored[:4] if a in in_outlet])
    job = post_job(client, {"kind": "classify", "force": True})
    assert job["result"]["n_classified"] == N_ARTICLES
    db_session.expire_all()
    n_rows, n_articles, frames = label_counts(db_session, classifier.version)
    assert (n_rows, frames) == (N_ARTICLES, N_ARTICLES * n_frames)
    assert n_articles == n_rows  # one label per article and model version, never two


@pytest.mark.parametrize("format_", ["csv", "ndjson"])
def test_export_job_file_equals_the_streamed_export(client, stored, format_):
    pd = pytest.importorskip("pandas")
    job = post_job(client, {"kind": "export", "format": format_, "filter": {"outlet": "daily-planet"}})
    assert job["status"] == "succeeded", job
    assert job["result"]["url"].endswith(f"/v1/jobs/{job['id']}/result")
    download = client.get(f"/v1/jobs/{job['id']}/result")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == f"attachment; filename=job-{job['id']}.{format_}"
    streamed = client.get(f"/v1/articles/export?format={format_}&outlet=daily-planet").data
    assert download.data == streamed
    read = pd.read_csv if format_ == "csv" else lambda b: pd.read_json(b, lines=True)
    assert len(read(io.BytesIO(download.data))) == job["done"] == job["total"]


def test_bad_requests_are_problems_naming_the_field(client):
    assert_problem(client.post("/v1/jobs", json={"kind": "train"}), 422, {"kind"})
    assert_problem(client.post("/v1/jobs", json={"kind": "classify", "format": "csv"}), 422, {"format"})
    assert_problem(client.post("/v1/jobs", json={"kind": "export", "force": True}), 422, {"force"})
    assert_problem(
        client.post("/v1/jobs", json={"kind": "classify", "filter": {"colour": "x"}}), 422, {"filter.colour"}
    )
    assert_problem(
        client.post("/v1/jobs", json={"kind": "classify", "filter": {"frame": "nope"}}), 422, {"filter.frame"}
    )
    assert_problem(client.get("/v1/jobs/999"), 404)
    assert_problem(client.get("/v1/jobs?status=lost"), 422, {"status"})


def test_cancel_list_and_result_of_the_wrong_job(app, client, stored, db_session):
    queued = dao.create_job(
        db_session, "classify", {"filter": {}, "force": False}
    )  # never handed to a runner
    db_session.commit()
    for method, url in (("delete", f"/v1/jobs/{queued.id}"), ("post", f"/v1/jobs/{queued.id}/cancel")):
        response = getattr(client, method)(url)
        assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    with app.app_context():
        assert run_job(queued.id) is None  # a cancelled job is never started
    done = post_job(client, {"kind": "classify"})
    assert_problem(client.delete(f"/v1/jobs/{done['id']}"), 409)
    assert_problem(client.get(f"/v1/jobs/{done['id']}/result"), 409)
    page = client.get("/v1/jobs?limit=1")
    assert [j["id"] for j in page.get_json()["items"]] == [queued.id]
    assert [j["id"] for j in client.get(page.get_json()["next"]).get_json()["items"]] == [done["id"]]
    assert [j["id"] for j in client.get("/v1/jobs?status=succeeded").get_json()["items"]] == [done["id"]]


class Killed(BaseException):
    """Stands for SIGKILL inside the runner: not an Exception, so nothing records or commits it."""


def test_a_runner_killed_mid_chunk_resumes_without_lost_or_doubled_labels(
    app, stored, db_session, monkeypatch
):
    import service.jobs.parts as runner

    version = app.config["MODEL"].version
    with app.app_context():
        for article_id in stored:
            delete_classifications(db_session, article_id)
        db_session.commit()
        job = dao.create_job(db_session, "classify", {"filter": {}, "force": False})
        db_session.commit()
        real = runner.classify_stored_articles
        calls = []

        def dies_on_third_chunk(session, model, ids, **kwargs):
            calls.append(ids)
            n = real(session, model, ids, **kwargs)  # the labels are written, not yet committed
            if len(calls) == 3:
                raise Killed
            return n

        monkeypatch.setattr(runner, "classify_stored_articles", dies_on_third_chunk)
        with pytest.raises(Killed):
            run_job(job.id)
        db_session.expire_all()
        stuck = db_session.get(Job, job.id)
        assert (stuck.status, stuck.done) == ("running", 4)
        parts = db_session.scalars(select(JobPart).where(JobPart.job_id == job.id).order_by(JobPart.lo)).all()
        assert len(parts) == 5  # small job: parts of one chunk (2 articles), so runners share it
        assert [p.status for p in parts] == ["done", "done", "running", "pending", "pending"]
        assert (parts[2].cursor, parts[2].done, parts[2].attempt) == (calls[1][-1], 0, 1)
        assert label_counts(db_session, version)[0] == 4  # the third chunk was rolled back

        assert dao.requeue_stale_jobs(db_session, stale_before=utcnow() - timedelta(seconds=60)) == []
        assert dao.requeue_stale_jobs(db_session, stale_before=utcnow() + timedelta(seconds=1)) == [job.id]
        db_session.commit()
        monkeypatch.setattr(runner, "classify_stored_articles", real)
        assert run_job(job.id) == "succeeded"
    db_session.expire_all()
    finished = db_session.get(Job, job.id)
    assert (finished.done, finished.total, finished.attempt) == (N_ARTICLES, N_ARTICLES, 2)
    assert finished.result["n_classified"] == N_ARTICLES
    n_rows, n_articles, _ = label_counts(db_session, version)
    assert n_rows == n_articles == N_ARTICLES


def test_an_export_killed_after_writing_resumes_to_the_same_file(
    app, client, stored, db_session, monkeypatch
):
    import service.jobs.runner as runner

    with app.app_context():
        job = dao.create_job(db_session, "export", {"filter": {}, "format": "ndjson"})
        db_session.commit()
        real, calls = runner.advance_job, []

        def dies_before_the_third_commit(session, job_id, attempt, **values):
            calls.append(values)
            if len(calls) == 4:  # upto/total, chunk 1, chunk 2, then chunk 3's bytes are on disk
                raise Killed
            return real(session, job_id, attempt, **values)

        monkeypatch.setattr(runner, "advance_job", dies_before_the_third_commit)
        with pytest.raises(Killed):
            run_job(job.id)
        db_session.expire_all()
        stuck = db_session.get(Job, job.id)
        assert result_path(stuck).stat().st_size > stuck.result["bytes"]  # uncommitted lines on disk
        monkeypatch.setattr(runner, "advance_job", real)
        dao.requeue_stale_jobs(db_session, stale_before=utcnow() + timedelta(seconds=1))
        db_session.commit()
        assert run_job(job.id) == "succeeded"
    body = client.get(f"/v1/jobs/{job.id}/result").data
    assert body == client.get("/v1/articles/export?format=ndjson").data  # every line once, in order


def test_a_runner_that_lost_the_job_cannot_commit(app, db_session):
    job = dao.create_job(db_session, "classify", {"filter": {}})
    db_session.commit()
    first = dao.claim_job(db_session, job.id)
    assert dao.claim_job(db_session, job.id) is None  # running: nobody else takes it
    dao.requeue_stale_jobs(db_session, stale_before=utcnow() + timedelta(seconds=1))
    second = dao.claim_job(db_session, job.id)
    assert (first, second) == (1, 2)
    assert not dao.advance_job(db_session, job.id, first, done=5)
    assert dao.advance_job(db_session, job.id, second, done=5)
    dao.cancel_job(db_session, dao.get_job(db_session, job.id))
    assert not dao.advance_job(db_session, job.id, second, done=6)


def test_a_part_whose_runner_went_quiet_is_taken_over_and_the_old_runner_fenced_off(app, stored, db_session):
    from service.storage.job_parts import advance_part, claim_part, create_parts, finish_if_all_done

    job = dao.create_job(db_session, "classify", {"filter": {}})
    db_session.commit()
    dao.claim_job(db_session, job.id)
    create_parts(db_session, job.id, [(0, 5), (5, 9)])
    now = utcnow()
    first = claim_part(db_session, job.id, stale_before=now)
    second = claim_part(db_session, job.id, stale_before=now)
    assert (first.lo, second.lo) == (0, 5)
    old_runner = SimpleNamespace(id=first.id, attempt=first.attempt)  # what the first runner holds
    assert claim_part(db_session, job.id, stale_before=now) is None  # both held, heartbeats fresh
    taken = claim_part(db_session, job.id, stale_before=utcnow() + timedelta(seconds=1))  # first went quiet
    assert (taken.id, taken.attempt) == (first.id, 2)
    assert not advance_part(db_session, old_runner, cursor=3)  # the old runner cannot commit any more
    assert advance_part(db_session, taken, cursor=3)
    assert not finish_if_all_done(db_session, job.id)
    assert advance_part(db_session, taken, status="done") and advance_part(db_session, second, status="done")
    assert finish_if_all_done(db_session, job.id) and not finish_if_all_done(db_session, job.id)
    db_session.commit()
    db_session.expire_all()
    assert dao.get_job(db_session, job.id).status == "succeeded"


def test_cancelling_a_running_job_stops_it_before_the_next_chunk_commits(
    app, client, stored, db_session, monkeypatch, backend
):
    import service.jobs.parts as parts

    if backend == "sqlite":
        pytest.skip("SQLite has one writer at a time: a cancel request waits for the chunk's commit")
    version = app.config["MODEL"].version
    with app.app_context():
        job = dao.create_job(db_session, "classify", {"filter": {}, "force": True})
        db_session.commit()
        real, calls = parts.classify_stored_articles, []

        def cancel_during_second_chunk(session, model, ids, **kwargs):
            calls.append(ids)
            if len(calls) == 2:
                assert client.post(f"/v1/jobs/{job.id}/cancel").get_json()["status"] == "cancelled"
            return real(session, model, ids, **kwargs)

        monkeypatch.setattr(parts, "classify_stored_articles", cancel_during_second_chunk)
        assert run_job(job.id) == "cancelled"
    db_session.expire_all()
    cancelled = client.get(f"/v1/jobs/{job.id}").get_json()
    assert (cancelled["status"], cancelled["done"], len(calls)) == ("cancelled", 2, 2)
    assert cancelled["parts"]["running"] == 1  # the cancelled runner's part is left as it was
    n_rows, n_articles, _ = label_counts(db_session, version)
    assert n_rows == n_articles == N_ARTICLES  # the second chunk's delete-and-relabel was rolled back


def test_a_failing_chunk_in_one_part_is_listed_and_the_other_parts_finish(app, client, stored, monkeypatch):
    import service.jobs.parts as parts

    real = parts.classify_stored_articles

    def fails_on_the_fourth_article(session, model, ids, **kwargs):
        if stored[3] in ids:
            raise RuntimeError("the database went away for a moment")
        return real(session, model, ids, **kwargs)

    monkeypatch.setattr(parts, "classify_stored_articles", fails_on_the_fourth_article)
    job = post_job(client, {"kind": "classify", "force": True})
    assert job["status"] == "succeeded", job
    assert (job["done"], job["total"], job["n_errors"]) == (N_ARTICLES, N_ARTICLES, 1)
    assert job["parts"] == {"pending": 0, "running": 0, "done": 5}
    assert job["errors"] == [
        {"detail": "RuntimeError: the database went away for a moment", "after_id": stored[1]}
    ]
    assert job["result"]["n_classified"] == N_ARTICLES - 2  # the failed chunk (2 articles) is skipped
