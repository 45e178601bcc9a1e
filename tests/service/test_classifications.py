"""Storage of classifier outputs: the tables the classifier and comparison steps build on."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from classifiers import ArticleClassification, Evidence, FrameResult, ModelRef, StanceResult
from service.storage.articles import list_articles
from service.storage.classifications import read_classifications, store_classifications
from service.storage.classified_rows import fetch_classified_rows, stored_version
from service.storage.tables import ArticleFrame, Classification
from tests.service.conftest import make_article

FAKE_FRAMES = ("conflict", "economic", "human_interest")


def fake_result(version, present, dominant, stance, *, frame_keys=FAKE_FRAMES):
    """An ``ArticleClassification`` as a classifier with other frames would return it."""
    frames = tuple(
        FrameResult(
            key=key,
            label=key.title(),
            score=0.9 if key in present else 0.1,
            present=key in present,
            share=0.5 if key in present else 0.0,
            evidence=(Evidence("Tanks rolled in.", 0, 16, 0.91234567),) if key in present else (),
        )
        for key in frame_keys
    )
    scores = {"favor": 0.2, "against": 0.7, "neutral": 0.1}
    stance_evidence = (Evidence("Critics said no.", 17, 33, 0.6, "title"),)
    return ArticleClassification(
        status="ok",
        n_sentences=3,
        frames=frames,
        dominant_frame=dominant,
        stance=StanceResult("strike", stance, scores, stance_evidence),
        model=ModelRef(version, "conflict", "abc123"),
        language="en",
    )


def count_frames(session, *versions):
    stmt = (
        select(func.count())
        .select_from(ArticleFrame)
        .join(Classification, ArticleFrame.classification_id == Classification.id)
        .where(Classification.model_version.in_(versions))
    )
    return session.scalar(stmt)


@pytest.fixture
def article_ids(client):
    items = [make_article(i, outlet="a" if i < 2 else "b", event="e" if i != 1 else None) for i in range(3)]
    body = client.post("/v1/articles/batch?create_missing=true", json=items).get_json()
    return [row["id"] for row in body["items"]]


def test_store_and_filter(db_session, article_ids):
    a0, a1, a2 = article_ids
    n_new = store_classifications(
        db_session,
        [
            (a0, fake_result("m1", {"conflict"}, "conflict", "against")),
            (a1, fake_result("m1", {"economic", "conflict"}, "economic", "favor")),
            (a2, fake_result("m1", set(), None, "neutral")),
            (a0, fake_result("m2", {"economic"}, "economic", "favor")),
        ],
    )
    db_session.commit()
    assert n_new == 4
    assert count_frames(db_session, "m1", "m2") == 12  # ingest also stored the served model's results

    def ids(**filters):
        return [a.id for a in list_articles(db_session, after=None, limit=50, **filters).items]

    assert ids(model_version="m1", frame="conflict") == [a0, a1]
    assert ids(model_version="m1", frame="economic") == [a1]
    assert ids(model_version="m2", frame="economic") == [a0]
    assert ids(model_version="m1", stance="favor") == [a1]
    assert ids(model_version="m1", frame="conflict", stance="against", outlet="a") == [a0]
    with pytest.raises(ValueError, match="model_version"):
        ids(frame="conflict")


def test_same_model_version_is_stored_once(db_session, article_ids):
    result = fake_result("m1", {"conflict"}, "conflict", "against")
    assert store_classifications(db_session, [(article_ids[0], result)]) == 1
    assert store_classifications(db_session, [(article_ids[0], result)]) == 0
    db_session.commit()
    m1 = Classification.model_version == "m1"
    assert db_session.scalar(select(func.count()).select_from(Classification).where(m1)) == 1
    assert count_frames(db_session, "m1") == 3


def test_fetch_rows_for_comparison(db_session, article_ids):
    a0, a1, a2 = article_ids
    store_classifications(
        db_session,
        [
            (a0, fake_result("m1", {"conflict"}, "conflict", "against")),
            (a2, fake_result("m1", {"economic"}, "economic", None)),
            (a1, fake_result("m2", {"economic"}, "economic", "favor")),
        ],
    )
    db_session.commit()
    rows = fetch_classified_rows(db_session, "m1", frame_keys=FAKE_FRAMES)
    assert [r["article_id"] for r in rows] == [a0, a2]
    first = rows[0]
    assert (first["outlet"], first["event"], first["dominant_frame"], first["stance"]) == (
        "a",
        "e",
        "conflict",
        "against",
    )
    assert first["frames"] == {"conflict": True, "economic": False, "human_interest": False}
    assert first["shares"]["conflict"] == 0.5
    assert first["published_at"] == datetime(2026, 3, 1, 9, tzinfo=UTC)
    m1 = {"model_version": "m1", "frame_keys": FAKE_FRAMES}
    assert [r["article_id"] for r in fetch_classified_rows(db_session, **m1, outlets=["b"])] == [a2]
    assert fetch_classified_rows(db_session, **m1, published_to=datetime(2026, 1, 1, tzinfo=UTC)) == []


def test_deleting_an_article_deletes_its_classifications(client, db_session, article_ids):
    store_classifications(db_session, [(article_ids[0], fake_result("m1", {"conflict"}, "conflict", None))])
    db_session.commit()
    url = f"/v1/articles/{article_ids[0]}"
    assert client.delete(url, headers={"If-Match": client.get(url).headers["ETag"]}).status_code == 204
    db_session.expire_all()
    gone = article_ids[0]
    assert not db_session.scalar(select(func.count()).where(Classification.article_id == gone))
    assert not db_session.scalar(select(func.count()).where(ArticleFrame.article_id == gone))


def test_stored_result_reads_back_as_the_same_classification(db_session, article_ids):
    """Full precision, frames in codebook order, evidence and stance as the classifier gave them."""
    result = fake_result("m1", {"economic"}, "economic", "against")
    store_classifications(db_session, [(article_ids[0], result)])
    db_session.commit()
    labels = {key: key.title() for key in FAKE_FRAMES}
    stored = read_classifications(db_session, article_ids, "m1", frame_labels=labels)
    assert stored == {article_ids[0]: result}
    assert stored_version(db_session, "m1").frame_keys == FAKE_FRAMES
    assert stored_version(db_session, "m1").model == result.model
    assert stored_version(db_session, "no-such-version") is None


def test_frames_are_stored_once_as_rows(db_session, article_ids):
    """Presence, score and share live in ``article_frames`` only, not in a JSON copy."""
    store_classifications(db_session, [(article_ids[0], fake_result("m1", {"economic"}, "economic", None))])
    db_session.commit()
    stored = db_session.scalars(select(Classification).where(Classification.model_version == "m1")).one()
    assert not hasattr(stored, "result") and not hasattr(stored, "frame_summary")
    assert set(stored.evidence["frames"]) == {"economic"}  # evidence sentences only
    rows = db_session.scalars(select(ArticleFrame).where(ArticleFrame.classification_id == stored.id)).all()
    assert {(r.frame_key, r.present, r.share) for r in rows} == {
        ("conflict", False, 0.0),
        ("economic", True, 0.5),
        ("human_interest", False, 0.0),
    }
