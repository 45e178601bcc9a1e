"""/v1/models: train from coded articles (a job), held-out figures, activate, roll back, classify."""

from __future__ import annotations

import time

import pytest

from tests.conftest import make_test_app
from tests.service.conftest import assert_problem, make_article

EVENTS = ("kherson-dam", "kursk-incursion", "grain-corridor")
TEXTS = {
    "kherson-dam": "Floodwater forced thousands of residents from their homes after the dam collapsed. "
    "Aid agencies warned of drinking water shortages and disease in the flooded villages.",
    "kursk-incursion": "Ukrainian forces advanced into the Kursk region and captured several villages. "
    "Russia moved reserve brigades to the border and shelled the attacking columns.",
    "grain-corridor": "Talks on reopening the Black Sea grain corridor resumed in Istanbul. "
    "Negotiators said a deal could lower food prices and calm insurance markets.",
}
FRAMES = {
    "kherson-dam": ["humanitarian-impact"],
    "kursk-incursion": ["military-operations", "escalation-risk"],
    "grain-corridor": ["diplomacy-negotiation", "economic-cost"],
}


@pytest.fixture
def app(database_url):
    app = make_test_app(database_url, JOB_EXECUTOR="thread", MODEL_ACTIVATION_TTL=0)
    yield app
    app.extensions["framescope"]["engine"].dispose()


@pytest.fixture
def coded(client) -> list[int]:
    """12 stored articles over three events, coded by alice and bob (bob disagrees on one frame)."""
    items = [
        make_article(i, event=EVENTS[i % 3], text=f"{TEXTS[EVENTS[i % 3]]} Report {i}.", title=f"Update {i}")
        for i in range(12)
    ]
    response = client.post("/v1/articles/batch?create_missing=true", json=items)
    assert response.status_code == 201, response.get_json()
    ids = [item["id"] for item in response.get_json()["items"]]
    codes = []
    for i, article_id in enumerate(ids):
        frames = FRAMES[EVENTS[i % 3]]
        codes.append({"article_id": article_id, "coder": "alice", "frames": frames, "stance": "neutral"})
        codes.append({"article_id": article_id, "coder": "bob", "frames": frames[:1], "stance": "neutral"})
    assert client.post("/v1/annotations", json=codes).status_code == 201
    return ids


def wait_for(client, location: str, timeout: float = 300) -> dict:
    """Poll gently: training takes seconds, and polling fast would meet the rate limit."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(location).get_json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.5)
    raise TimeoutError(job)


def train(client, body: dict) -> dict:
    response = client.post("/v1/models", json=body)
    assert response.status_code == 202, response.get_json()
    return wait_for(client, response.headers["Location"], timeout=900)


def test_train_activate_classify_and_roll_back(client, coded, classifier):
    job = train(client, {"coders": ["alice", "bob"]})
    assert job["status"] == "succeeded", job
    version = job["result"]["model_version"]
    assert version.startswith("conflict-adapted-") and job["result"]["n_coded"] == 12
    held = job["result"]["heldout"]
    assert held["n_articles"] >= 1 and set(held) >= {"base", "model", "events"}
    assert held["model"]["frame_macro_f1"] is not None

    listing = client.get("/v1/models").get_json()
    assert listing["version"] == classifier.version  # training does not activate
    assert [m["version"] for m in listing["registry"]] == [version]
    assert listing["registry"][0]["active"] is False and listing["registry"][0]["coders"] == ["alice", "bob"]
    detail = client.get(f"/v1/models/{version}").get_json()
    assert detail["base_version"] == classifier.version
    assert detail["manifest"]["adaptation"]["weight"] == 3
    card = client.get(f"/v1/models/{version}/card")
    assert card.status_code == 200 and card.mimetype == "text/markdown" and version in card.get_data(True)

    article = {"title": "Dam", "text": TEXTS["kherson-dam"]}
    by_version = client.post(f"/v1/classify?model={version}", json=article).get_json()
    assert by_version["model"]["version"] == version
    assert client.post("/v1/classify", json=article).get_json()["model"]["version"] == classifier.version

    activated = client.post(f"/v1/models/{version}/activate")
    assert activated.status_code == 200 and activated.get_json()["version"] == version
    assert client.get("/v1/models").get_json()["version"] == version
    assert client.post("/v1/classify", json=article).get_json()["model"]["version"] == version

    back = client.post("/v1/models/rollback", json={})
    assert back.status_code == 200 and back.get_json()["version"] == classifier.version
    assert client.post("/v1/classify", json=article).get_json()["model"]["version"] == classifier.version

    again = train(client, {"coders": ["alice", "bob"]})  # same codes, same model: deterministic
    assert again["result"]["model_version"] == version
    assert len(client.get("/v1/models").get_json()["registry"]) == 1


def test_bad_training_requests_name_the_field(client, coded):
    assert_problem(client.post("/v1/models", json={"coders": ["alice", "carol"]}), 422, {"coders"})
    assert_problem(
        client.post("/v1/models", json={"coders": ["alice"], "codebook": "other"}), 422, {"codebook"}
    )
    assert_problem(client.post("/v1/models", json={"coders": ["alice"], "base": "nope"}), 422, {"base"})
    bad_ids = {"coders": ["alice"], "article_ids": [coded[0], 10**9]}
    assert_problem(client.post("/v1/models", json=bad_ids), 422, {"article_ids"})
    assert_problem(client.post("/v1/models", json={}), 422, {"coders"})
    assert_problem(client.post("/v1/jobs", json={"kind": "train"}), 422, {"kind"})
    assert_problem(
        client.post("/v1/classify?model=nope", json={"text": TEXTS["kherson-dam"]}), 422, {"model"}
    )
    assert_problem(client.post("/v1/models/rollback", json={}), 409)
    assert_problem(client.post("/v1/models/nope/activate"), 404)


def test_a_failing_training_job_keeps_its_reason_and_the_active_model(client, coded, classifier):
    job = train(client, {"coders": ["alice"], "article_ids": coded[:1]})
    assert job["status"] == "failed"
    assert "at least 2 are needed" in job["errors"][-1]["detail"]
    listing = client.get("/v1/models").get_json()
    assert listing["version"] == classifier.version and listing["registry"] == []


def test_suggest_skips_coded_articles_and_names_bad_arguments(client, coded):
    extra = [
        make_article(100 + i, event="kherson-dam", text=f"{TEXTS['kherson-dam']} Note {i}.") for i in range(4)
    ]
    assert client.post("/v1/articles/batch?create_missing=true", json=extra).status_code == 201
    body = client.get("/v1/annotations/suggest?n=3").get_json()
    assert body["n_candidates"] == 4 and len(body["items"]) == 3
    assert [item["rank"] for item in body["items"]] == [1, 2, 3]
    picked = [item["article_id"] for item in body["items"]]
    assert len(set(picked)) == 3 and not set(picked) & set(coded)
    assert all(0 <= item["uncertainty"] <= 1 and item["event"] == "kherson-dam" for item in body["items"])
    only_carol = client.get("/v1/annotations/suggest?n=50&coders=carol").get_json()
    assert only_carol["n_candidates"] == 16  # nothing is coded by carol
    assert client.get("/v1/annotations/suggest?event=grain-corridor").get_json()["items"] == []
    assert_problem(client.get("/v1/annotations/suggest?codebook=other"), 422, {"codebook"})
    assert_problem(client.get("/v1/annotations/suggest?n=0"), 422, {"n"})
