"""Fill a PostgreSQL database with realistic stored articles for bench_stored.py, fast.

``fill`` stores articles the way the service does (ingest, sign for syndication clusters, store
synthetic classification results); ``replicate`` grows the set inside PostgreSQL by copying rows,
signatures and clusters included, because storing 990,000 more through the DAO would take hours.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from sqlalchemy import text

TYPES = ("tabloid", "broadsheet", "public")
COPY_EVERY = 12  # every 12th article reprints an earlier story of its event (about 8 %)
FLIP_ONE_IN = 10  # a copied row's frame presence flips with probability 1/10 per frame (new patterns)
# classifications.frame_mask / frame_shares (service.storage.frame_summary) of the copies just made.
SUMMARY_OF_COPIES = """
UPDATE classifications c SET frame_mask = s.mask, frame_shares = s.shares
FROM (
    SELECT classification_id,
           sum(CASE WHEN present THEN (1::bigint << (rn - 1)::int) ELSE 0 END) AS mask,
           array_agg(share ORDER BY frame_key COLLATE "C") AS shares
    FROM (
        SELECT f.classification_id, f.frame_key, f.present, f.share,
               row_number() OVER (PARTITION BY f.classification_id ORDER BY f.frame_key COLLATE "C") AS rn
        FROM article_frames f JOIN cmap m ON f.classification_id = m.new_id
    ) f
    GROUP BY classification_id
) s
WHERE s.classification_id = c.id
"""


def synthetic_result(record: Any, frame_keys: tuple[str, ...], model: Any, target: str) -> Any:
    """An ``ArticleClassification`` with ``record``'s labels by ``model`` (a ``ModelRef``; no evidence)."""
    from classifiers import ArticleClassification, FrameResult, StanceResult

    frames = tuple(
        FrameResult(key, key, round(0.2 + 0.6 * present, 3), present, round(share, 4))
        for key, present, share in zip(
            frame_keys, record.frames.values(), record.shares.values(), strict=True
        )
    )
    dominant = frame_keys[list(record.frames).index(record.dominant_frame)] if record.dominant_frame else None
    label = record.stance
    scores = {s: (0.6 if s == label else 0.2) for s in ("favor", "against", "neutral")}
    return ArticleClassification("ok", 30, frames, dominant, StanceResult(target, label, scores), model, "en")


def _event(record: Any, n_events: int) -> str:
    return f"scale-{int(record.event.rsplit('_', 1)[1]) % n_events}"


def _source(records: list, i: int, n_events: int) -> Any:
    """The article ``i`` reprints: an earlier one of the same event from another outlet (or itself)."""
    r = records[i]
    if i % COPY_EVERY != 5:
        return r
    for j in range(i - 1, max(-1, i - 200), -1):
        other = records[j]
        if other.outlet != r.outlet and _event(other, n_events) == _event(r, n_events):
            return other
    return r


def fill(session: Any, chunk: list, offset: int, records: list, model: Any, n_events: int) -> None:
    """Ingest, sign and label ``chunk`` (= ``records[offset:...]``) in transactions of 2,000."""
    from service.storage.articles import ingest_articles
    from service.storage.classifications import store_classifications
    from service.storage.signatures import sign_articles

    frame_keys, target = model.codebook.frame_keys, model.codebook.default_target
    for start in range(0, len(chunk), 2000):
        items, sources = [], []
        for k in range(start, min(len(chunk), start + 2000)):
            i = offset + k
            r, source = records[i], _source(records, i, n_events)
            words = source.text.split()
            body = r.text if source is r else " ".join(words[: int(len(words) * 0.8)])
            number = int(r.outlet.rsplit("_", 1)[1])
            attributes = {"type": TYPES[number % 3]} if number != 19 else {}
            items.append(
                {
                    "outlet": r.outlet.replace("_", "-"),
                    "outlet_attributes": attributes,
                    "event": _event(r, n_events),
                    "title": f"Report {i}",
                    "text": body,
                    "published_at": r.published_at.replace(tzinfo=UTC),
                    "language": "en",
                }
            )
            sources.append(source)
        ids = ingest_articles(session, items, create_missing=True).ids
        sign_articles(session, ids)
        store_classifications(
            session,
            [
                (aid, synthetic_result(s, frame_keys, model.model_ref, target))
                for aid, s in zip(ids, sources, strict=True)
            ],
        )
        session.commit()


def replicate(session: Any, n_target: int) -> None:
    """Grow the stored set to ``n_target`` articles by copying the first ones in PostgreSQL.

    A copy keeps every column but the id (from the table's sequence) and content hash (made unique);
    its signature's cluster becomes the copy of the cluster's first article (always among the copied,
    as it has the smaller id), so each copy round repeats the syndication structure. Labels are
    perturbed by a hash of the new id (each frame's presence flips with probability 1/10, a quarter
    of stances are redrawn), so a million articles have the label variety of a million, not of the
    10,000 originals: the counted rows grow with n as they would in real data.
    """
    from service.storage.tables import Article, ArticleFrame, Classification

    def cols(table: Any, skip: set[str]) -> list[str]:
        return [c.name for c in table.columns if c.name not in skip]

    a_cols = cols(Article.__table__, {"id", "content_hash", "url"})
    c_cols = cols(Classification.__table__, {"id", "article_id"})
    f_cols = cols(ArticleFrame.__table__, {"classification_id", "article_id"})
    while True:
        n_now = session.execute(text("SELECT count(*) FROM articles")).scalar_one()
        if n_now >= n_target:
            break
        if n_now == 0:
            raise SystemExit("replicate: no stored article to copy (fill some first)")
        session.execute(text("DROP TABLE IF EXISTS amap, cmap"))
        session.execute(
            text(
                "CREATE TEMP TABLE amap AS SELECT id AS old_id, "
                "nextval(pg_get_serial_sequence('articles', 'id')) AS new_id "
                "FROM articles ORDER BY id LIMIT :n"
            ),
            {"n": n_target - n_now},
        )
        session.execute(text("CREATE UNIQUE INDEX ON amap (old_id)"))
        session.execute(
            text(
                f"INSERT INTO articles (id, content_hash, url, {', '.join(a_cols)}) "
                f"SELECT m.new_id, md5(a.content_hash || '-' || m.new_id), NULL, "
                f"{', '.join('a.' + c for c in a_cols)} FROM articles a JOIN amap m ON a.id = m.old_id"
            )
        )
        session.execute(
            text(
                "INSERT INTO article_signatures (article_id, n_shingles, signature, cluster_id, similarity) "
                "SELECT m.new_id, s.n_shingles, s.signature, cm.new_id, s.similarity "
                "FROM article_signatures s JOIN amap m ON s.article_id = m.old_id "
                "LEFT JOIN amap cm ON s.cluster_id = cm.old_id"
            )
        )
        session.execute(
            text(
                "CREATE TEMP TABLE cmap AS SELECT c.id AS old_id, m.new_id AS new_article, "
                "nextval(pg_get_serial_sequence('classifications', 'id')) AS new_id "
                "FROM classifications c JOIN amap m ON c.article_id = m.old_id"
            )
        )
        stance = (
            "CASE WHEN mod(abs(hashtext(m.new_id::text)), 4) = 0 "
            "THEN (ARRAY['favor', 'against', 'neutral'])[1 + mod(m.new_id, 3)] ELSE c.stance_label END"
        )
        session.execute(
            text(
                f"INSERT INTO classifications (id, article_id, {', '.join(c_cols)}) "
                f"SELECT m.new_id, m.new_article, "
                f"{', '.join(stance if c == 'stance_label' else 'c.' + c for c in c_cols)} "
                "FROM classifications c JOIN cmap m ON c.id = m.old_id"
            )
        )
        flip = f"mod(abs(hashtext(f.frame_key || m.new_id::text)), {FLIP_ONE_IN}) = 0"
        perturbed = {
            "present": f"CASE WHEN {flip} THEN NOT f.present ELSE f.present END",
            "share": f"CASE WHEN {flip} THEN (CASE WHEN f.present THEN 0.0 ELSE 0.1 END) ELSE f.share END",
        }
        session.execute(
            text(
                f"INSERT INTO article_frames (classification_id, article_id, {', '.join(f_cols)}) "
                f"SELECT m.new_id, m.new_article, {', '.join(perturbed.get(c, 'f.' + c) for c in f_cols)} "
                "FROM article_frames f JOIN cmap m ON f.classification_id = m.old_id"
            )
        )
        session.execute(text(SUMMARY_OF_COPIES))  # the copies' frame summary from their perturbed rows
        session.commit()
    session.execute(text("ANALYZE"))
    session.commit()
