"""POST /v1/classify: the classifier over HTTP, one article or a list, nothing stored."""

from __future__ import annotations

import copy
import math

import pytest
from sqlalchemy import func, select

from classifiers import ClassifierError
from service.storage.tables import Classification
from tests.conftest import make_test_app
from tests.service.conftest import assert_problem

PLEDGE = {
    "title": "Allies pledge new air defence package",
    "text": "Germany pledged a new package of air defence systems to Ukraine on Monday. "
    "The aid includes missiles and launchers and will be delivered before winter. "
    "Berlin said its support would continue for as long as it takes.",
}
NUCLEAR = {
    "title": "Kremlin warns of nuclear response",
    "text": "Moscow warned on Thursday that long-range strikes deep inside Russia could trigger a nuclear "
    "response. Officials said the risk of a direct war between Russia and NATO was growing. "
    "Analysts said the threat of escalation had not been this high since the start of the war.",
}


def frames_of(result):
    return {f["key"]: f for f in result["frames"]}


def test_one_article_in_one_result_out(client, classifier, db_session):
    response = client.post("/v1/classify", json=PLEDGE)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["model"] == {
        "version": classifier.version,
        "codebook": "conflict",
        "codebook_hash": classifier.codebook.hash,
    }
    frames = frames_of(body)
    assert list(frames) == list(classifier.codebook.frame_keys)
    support = frames["support-commitment"]
    assert support["present"] and body["dominant_frame"] == "support-commitment"
    assert {"key", "label", "score", "present", "share", "evidence"} <= support.keys()
    for ev in support["evidence"]:
        source = PLEDGE["title"] if ev.get("field") == "title" else PLEDGE["text"]
        assert source[ev["start"] : ev["end"]] == ev["sentence"]
    assert body["stance"]["target"] == "ukraine-support"
    assert set(body["stance"]["scores"]) == {"favor", "against", "neutral"}
    assert db_session.scalar(select(func.count()).select_from(Classification)) == 0  # nothing stored


def test_list_in_list_out_in_order(client):
    body = client.post("/v1/classify", json=[NUCLEAR, PLEDGE]).get_json()
    assert isinstance(body, list) and len(body) == 2
    assert frames_of(body[0])["escalation-risk"]["present"]
    assert frames_of(body[1])["support-commitment"]["present"]
    for result, article in zip(body, [NUCLEAR, PLEDGE], strict=True):
        for frame in result["frames"]:
            for ev in frame["evidence"]:
                source = article["title"] if ev.get("field") == "title" else article["text"]
                assert source[ev["start"] : ev["end"]] == ev["sentence"]


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"title": "x", "text": ""}, {"text"}),
        ({"title": "x", "text": "   \n "}, {"text"}),
        ({"title": "x"}, {"text"}),
        ({"text": "Some words here.", "target": "no-such-target"}, {"target"}),
        ({"text": "Some words here.", "colour": "red"}, {"colour"}),
        ([], {None}),
    ],
)
def test_bad_input_is_422_naming_the_field(client, payload, fields):
    assert_problem(client.post("/v1/classify", json=payload), 422, fields=fields)


def test_bad_item_in_a_list_is_named_by_index(client):
    body = assert_problem(client.post("/v1/classify", json=[PLEDGE, {"text": ""}]), 422, fields={"text"})
    assert body["errors"][0]["index"] == 1


def test_unusable_texts_get_a_status_not_an_error(client):
    body = client.post(
        "/v1/classify",
        json=[
            {"text": "....  --- !!!"},
            {"text": "Правительство объявило о новых мерах поддержки. Министр выступил в парламенте."},
        ],
    ).get_json()
    assert [r["status"] for r in body] == ["insufficient_text", "unsupported_language"]
    assert all(not f["present"] for r in body for f in r["frames"])


def test_a_2mb_article_is_422_naming_the_field_and_the_limit(client):
    big = {"title": "Long", "text": "Artillery shelled the town again overnight. " * 48_000}
    body = assert_problem(client.post("/v1/classify", json=big), 422, fields={"text"})
    assert "FRAMESCOPE_MAX_TEXT_CHARS" in body["errors"][0]["detail"]


def test_total_text_per_request_is_bounded(app, client):
    app.config["MAX_CLASSIFY_CHARS"] = 1000
    body = assert_problem(client.post("/v1/classify", json=[PLEDGE] * 5), 413)
    assert "FRAMESCOPE_MAX_CLASSIFY_CHARS" in body["detail"]


def test_scores_are_rounded_on_the_wire_and_only_headline_evidence_names_its_field(client, classifier):
    """Full precision inside; 4 decimals in the answer; ``field`` only for ``title`` evidence."""
    body = client.post("/v1/classify", json=PLEDGE).get_json()
    exact = classifier.classify(PLEDGE["title"], PLEDGE["text"])
    for sent, frame in zip(body["frames"], exact.frames, strict=True):
        toward = math.ceil if frame.present else math.floor  # rounded toward the decision
        assert sent["score"] == pytest.approx(toward(frame.score * 1e4) / 1e4, abs=1e-9)
        assert sent["share"] == round(frame.share, 4)
        for ev_sent, ev in zip(sent["evidence"], frame.evidence, strict=True):
            assert ev_sent["score"] == round(ev.score, 4)
            assert ev_sent.get("field") == (None if ev.field == "text" else ev.field)
    assert body["stance"]["scores"] == {k: round(v, 4) for k, v in exact.stance.scores.items()}
    evidence = [ev for f in body["frames"] for ev in f["evidence"]] + body["stance"]["evidence"]
    assert evidence and all(ev.get("field", "title") == "title" for ev in evidence)
    assert list(body) == [
        "status",
        "language",
        "message",
        "n_sentences",
        "frames",
        "dominant_frame",
        "stance",
        "model",
    ]


class RefusedTarget(ClassifierError):
    """Stands in for the classifiers' refusal of a stance target it cannot score."""


def test_a_classifier_refusal_is_422_problem_json(database_url, classifier):
    model = copy.copy(classifier)

    def refuse(items):
        raise RefusedTarget("stance toward 'russia-support' is not supported by this model")

    model.classify_many = refuse
    app = make_test_app(database_url, MODEL=model)
    try:
        body = assert_problem(app.test_client().post("/v1/classify", json=PLEDGE), 422)
        assert "russia-support" in body["detail"]
    finally:
        app.extensions["framescope"]["engine"].dispose()


def test_present_iff_score_reaches_the_threshold_on_the_wire(client):
    """Rounding toward the decision keeps ``present`` ⇔ ``score`` ≥ threshold in the answer."""
    thresholds = client.get("/v1/models").get_json()["thresholds"]
    body = client.post("/v1/classify", json=PLEDGE).get_json()
    for frame in body["frames"]:
        assert frame["present"] == (frame["score"] >= thresholds[frame["key"]]), frame


def test_an_absent_frame_just_under_the_threshold_never_shows_the_threshold():
    from types import SimpleNamespace

    from service.schemas.classify import FrameResultSchema

    def dump(score, present):
        frame = SimpleNamespace(key="k", label="K", score=score, present=present, share=0.0, evidence=[])
        return FrameResultSchema().dump(frame)["score"]

    assert dump(0.49996, present=False) == 0.4999  # plain rounding would say 0.5
    assert dump(0.5, present=True) == 0.5
    assert dump(0.50001, present=True) == 0.5001
