"""Bulk writes: on PostgreSQL batches of ``MIN_COPY_ROWS`` or more go through COPY and a staging table.

The same batch must store exactly what the INSERT path stores: texts with every character COPY's
text format escapes, labels and evidence read back equal to the classifier's answers, duplicates
(within the batch and against stored rows) resolved to one article.
"""

from __future__ import annotations

from sqlalchemy import func, select

from service.classifier_registry import get_model
from service.storage.bulk_copy import MIN_COPY_ROWS
from service.storage.classifications import read_classifications
from service.storage.tables import Article, ArticleFrame
from tests.service.conftest import make_article

AWKWARD = "Tab\there, back\\slash, \\N not null, new\nline, carriage\rreturn, quote \" and ' , émigré 東京 ✓."


def test_a_large_batch_stores_what_it_was_sent_and_its_labels(app, client, db_session):
    n = MIN_COPY_ROWS * 2
    items = [make_article(i, text=f"{AWKWARD} The council voted {i} times on the budget.") for i in range(n)]
    items.append(make_article(0, text=items[0]["text"]))  # a duplicate within the batch
    first = client.post("/v1/articles/batch?create_missing=true", json=items[:60])
    assert first.status_code == 201
    response = client.post("/v1/articles/batch?create_missing=true", json=items)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["n_created"], body["n_existing"]) == (n - 60, 61)
    ids = [row["id"] for row in body["items"]]
    assert ids[-1] == ids[0] and ids[:60] == [row["id"] for row in first.get_json()["items"]]

    db_session.rollback()
    stored = dict(db_session.execute(select(Article.id, Article.text).where(Article.id.in_(ids))).all())
    assert [stored[i] for i in ids[:n]] == [item["text"] for item in items[:n]]  # byte for byte
    with app.app_context():
        model = get_model()
        expected = model.classify_many([(item["title"], item["text"], None) for item in items[:n]])
        read = read_classifications(
            db_session, ids[:n], model.version, frame_labels={f.key: f.label for f in model.codebook.frames}
        )
    assert [read[i] for i in ids[:n]] == expected  # frames, scores, stance, evidence offsets
    n_frames = db_session.scalar(select(func.count()).select_from(ArticleFrame))
    assert n_frames == n * len(model.codebook.frame_keys)
