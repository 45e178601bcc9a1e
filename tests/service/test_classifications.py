"""Storage of classifier outputs: the tables the classifier and comparison steps build on."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from service.storage.articles import list_articles
from service.storage.classifications import fetch_classified_rows, store_classifications
from service.storage.models import ArticleFrame, Classification
from tests.service.conftest import make_article


def fake_result(version, present, dominant, stance):
    """The ArticleClassification.to_dict() shape from docs/ARCHITECTURE.md."""
    frames = [
        {
            "key": key,
            "label": key.title(),
            "score": 0.9 if key in present else 0.1,
            "present": key in present,
            "share": 0.5 if key in present else 0.0,
            "evidence": [],
        }
        for key in ("conflict", "economic", "human_interest")
    ]
    return {
        "status": "ok",
        "language": "en",
        "n_sentences": 3,
        "frames": frames,
        "dominant_frame": dominant,
        "stance": {"target": "strike", "label": stance, "scores": {}, "evidence": []},
        "model": {"version": version, "codebook": "conflict", "codebook_hash": "abc123"},
    }


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
    rows = fetch_classified_rows(db_session, "m1")
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
    assert [r["article_id"] for r in fetch_classified_rows(db_session, "m1", outlets=["b"])] == [a2]
    assert fetch_classified_rows(db_session, "m1", published_to=datetime(2026, 1, 1, tzinfo=UTC)) == []


def test_deleting_an_article_deletes_its_classifications(client, db_session, article_ids):
    store_classifications(db_session, [(article_ids[0], fake_result("m1", {"conflict"}, "conflict", None))])
    db_session.commit()
    url = f"/v1/articles/{article_ids[0]}"
    assert client.delete(url, headers={"If-Match": client.get(url).headers["ETag"]}).status_code == 204
    db_session.expire_all()
    gone = article_ids[0]
    assert not db_session.scalar(select(func.count()).where(Classification.article_id == gone))
    assert not db_session.scalar(select(func.count()).where(ArticleFrame.article_id == gone))
