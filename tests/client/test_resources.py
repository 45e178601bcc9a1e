"""Every other resource through the client: outlets, events, codebooks, annotations, reliability,
jobs, models, limits and probes."""

from __future__ import annotations

import pandas as pd
import pytest

from framescope import ConflictError, JobFailed, ValidationError
from tests.client.conftest import EVENT


def test_outlets_and_events_crud_with_etags(fs):
    created = fs.outlets.create(key="harbour-gazette", name="Harbour Gazette", country="GB")
    assert created["key"] == "harbour-gazette"
    updated = fs.outlets.update("harbour-gazette", name="The Harbour Gazette")
    assert updated["name"] == "The Harbour Gazette"
    with pytest.raises(ConflictError):
        fs.outlets.create(key="harbour-gazette", name="Again")
    fs.events.create(key=EVENT, title="Strike on the Port Selenko grain terminal")
    assert fs.events.get(EVENT)["title"].startswith("Strike")
    assert list(fs.events.list()["key"]) == [EVENT]
    fs.events.delete(EVENT)
    assert fs.events.list().empty
    fs.outlets.delete("harbour-gazette")
    assert fs.outlets.list().empty


def test_outlet_attributes_from_a_dataframe(fs, stored):
    table = pd.DataFrame({"key": ["eastern-wire", "civic-herald"], "leaning": ["right", None]})
    answer = fs.outlets.set_attributes(table)
    assert answer["n_rows"] == 2 and answer["outlets"] == ["eastern-wire", "civic-herald"]
    outlets = fs.outlets.list().set_index("key")
    assert outlets.loc["eastern-wire", "attributes_leaning"] == "right"
    assert outlets.loc["eastern-wire", "attributes_type"] == "state-aligned"  # columns not sent stay
    assert pd.isna(outlets.loc["civic-herald", "attributes_leaning"])
    with pytest.raises(ValidationError) as caught:
        fs.outlets.set_attributes(pd.DataFrame({"key": ["nobody"], "leaning": ["left"]}))
    assert caught.value.errors[0]["row"] == 2


def test_codebooks(fs, tmp_path):
    assert "conflict" in set(fs.codebooks.list()["key"])
    conflict = fs.codebooks.get("conflict")
    assert conflict["hash"] and len(conflict["frames"]) == 8
    path = tmp_path / "protest.yaml"
    path.write_text(
        "key: protest\nversion: '1.0'\nlabel: Protest coverage\nframes:\n"
        "  - {key: riot, label: Riot, definition: Violence and policing.}\n"
        "  - {key: grievance, label: Grievance, definition: The demands.}\n"
        "targets:\n"
        "  - {key: protesters, description: Whether the protest is justified., aliases: [protesters]}\n"
        "default_target: protesters\n"
    )
    uploaded = fs.codebooks.upload(path)
    assert uploaded["key"] == "protest" and list(fs.codebooks.versions("protest")["version"]) == ["1.0"]
    assert fs.codebooks.upload(path)["hash"] == uploaded["hash"]  # the same content again: stored one


def test_annotations_and_reliability(fs, stored):
    rows = []
    for article_id in stored:
        rows.append({"article_id": article_id, "coder": "alice", "frames": "economic-cost;escalation-risk"})
        rows.append({"article_id": article_id, "coder": "bob", "frames": ["economic-cost"]})
    totals = fs.annotations.upload(pd.DataFrame(rows))
    assert totals["n_created"] == 40
    assert len(fs.annotations.list(coder="alice")) == 20
    exported = fs.annotations.export(coder="bob")
    assert len(exported) == 20 and set(exported["frames"]) == {"economic-cost"}
    result = fs.reliability(["alice", "bob"], n_resamples=50)
    agreement = result.agreement.set_index(["variable", "category"])
    assert agreement.loc[("frame", "economic-cost"), "percent_agreement"] == 1.0
    with pytest.raises(ValidationError) as caught:
        fs.annotations.upload([{"article_id": stored[0], "coder": "carol", "frames": ["no-such-frame"]}])
    assert caught.value.fields == {"frames"}


def test_jobs_run_and_are_followed_to_the_end(fs, stored, tmp_path):
    job = fs.jobs.classify(event=EVENT, force=True)
    assert job["status"] in ("queued", "running", "succeeded")
    done = fs.jobs.wait(job, poll_seconds=0.05, timeout=120)
    assert done["result"]["n_classified"] == len(stored)
    export = fs.jobs.wait(fs.jobs.export(format="csv", outlet="eastern-wire"), poll_seconds=0.05, timeout=120)
    path = fs.jobs.download(export["id"], tmp_path / "eastern-wire.csv")
    assert len(pd.read_csv(path)) == 5
    listed = fs.jobs.list()
    assert list(listed["id"]) == [job["id"], export["id"]]
    with pytest.raises(ConflictError):
        fs.jobs.cancel(job["id"])  # finished


def test_a_file_is_imported_as_a_job(fs, tmp_path):
    path = tmp_path / "year.csv"
    path.write_text(
        "outlet,title,text\n"
        "north-post,Budget,The council voted on the budget and critics said it cuts services.\n"
        "north-post,Strike,\n"
        "south-star,Strike,Unions called a strike over the council budget cuts on Monday.\n"
    )
    job = fs.jobs.wait(fs.jobs.import_file(path, create_missing=True), poll_seconds=0.05, timeout=120)
    assert (job["result"]["n_created"], job["result"]["n_invalid"]) == (2, 1)
    assert [(e["line"], e["field"]) for e in job["errors"]] == [(3, "text")]
    with pytest.raises(ValueError, match="csv, .ndjson or .jsonl"):
        fs.jobs.import_file(tmp_path / "year.xlsx")


def test_a_failed_job_raises(fs, monkeypatch):
    states = iter([{"id": 7, "status": "running", "done": 1, "total": 2}, {"id": 7, "status": "cancelled"}])
    monkeypatch.setattr(fs.jobs, "get", lambda _id: next(states))
    with pytest.raises(JobFailed, match="Job 7 cancelled"):
        fs.jobs.wait(7, poll_seconds=0, sleep=lambda _s: None)


def test_model_limits_and_probes(fs, stored, classifier):
    assert fs.health() == {"status": "ok"}
    assert fs.ready()["status"] == "ready"
    assert fs.model()["version"] == classifier.version
    versions = fs.model_versions()
    assert versions.set_index("version").loc[classifier.version, "n_articles"] == len(stored)
    assert fs.limits().max_batch_items == 10_000
