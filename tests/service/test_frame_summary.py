"""Each classification's frame summary (``frame_mask``, ``frame_shares``) matches its frame rows.

Counted comparisons read the summary instead of the rows (service/storage/frame_summary.py), so every
write path must keep them equal: batches large enough for PostgreSQL's COPY path and small ones, and
an article given twice in one batch (a deduplicated copy), whose row, frames and summary must all
come from one result.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from classifiers import ArticleClassification, FrameResult, StanceResult
from service.storage.articles import ingest_articles
from service.storage.classifications import store_classifications
from service.storage.frame_summary import MAX_MASK_FRAMES, positions, summarise_frames
from service.storage.tables import ArticleFrame, Classification


def result(classifier, i: int) -> ArticleClassification:
    keys = classifier.codebook.frame_keys
    frames = tuple(
        FrameResult(k, k, 0.5, (i + j) % 3 == 0, round(((i * 7 + j) % 10) / 10, 1))
        for j, k in enumerate(keys)
    )
    stance = StanceResult(classifier.codebook.default_target, "favor" if i % 2 else None, {})
    return ArticleClassification("ok", 3, frames, keys[i % len(keys)], stance, classifier.model_ref, "en")


def stored_against_rows(session) -> list[tuple[int, int, list[float], int, list[float]]]:
    """Per classification: stored (mask, shares) and the ones its frame rows give."""
    rows: dict[int, list[tuple[str, bool, float]]] = {}
    for cid, key, present, share in session.execute(
        select(
            ArticleFrame.classification_id, ArticleFrame.frame_key, ArticleFrame.present, ArticleFrame.share
        )
    ):
        rows.setdefault(cid, []).append((key, present, share))
    out = []
    for cid, mask, shares in session.execute(
        select(Classification.id, Classification.frame_mask, Classification.frame_shares)
    ):
        expected_mask, expected_shares = summarise_frames(rows[cid])
        out.append((cid, mask, list(shares), expected_mask, expected_shares))
    return out


@pytest.mark.parametrize("n", [3, 80])  # 80: PostgreSQL takes the COPY path (MIN_COPY_ROWS = 50)
def test_summary_written_with_the_frame_rows(app, classifier, n):
    items = [{"outlet": "o", "title": f"t{i}", "text": f"story number {i} about talks"} for i in range(n)]
    items.append(dict(items[0]))  # the same article again: deduplicated to the same id
    with app.extensions["framescope"]["write_sessionmaker"]() as session:
        ids = ingest_articles(session, items, create_missing=True).ids
        assert ids[-1] == ids[0]
        store_classifications(session, [(aid, result(classifier, i)) for i, aid in enumerate(ids)])
        session.commit()
        pairs = stored_against_rows(session)
        assert len(pairs) == n
        for cid, mask, shares, expected_mask, expected_shares in pairs:
            assert (mask, shares) == (expected_mask, expected_shares), cid
        first = session.scalars(select(Classification).where(Classification.article_id == ids[0])).one()
        assert first.dominant_frame == result(classifier, 0).dominant_frame  # the first result, everywhere
        assert (
            first.frame_mask
            == summarise_frames((f.key, f.present, f.share) for f in result(classifier, 0).frames)[0]
        )


def test_summary_positions_are_code_point_order():
    mask, shares = summarise_frames([("b", True, 0.5), ("B", False, 0.1), ("a", True, 0.25)])
    assert (mask, shares) == (0b110, [0.1, 0.25, 0.5])  # B, a, b
    assert positions(["b", "B", "a"]) == [2, 0, 1]
    many = [(f"f{j:03d}", True, 0.0) for j in range(MAX_MASK_FRAMES + 1)]
    assert summarise_frames(many)[0] is None  # too many frames for a 64-bit mask: none stored
