"""Syndication at ingest: store each article's MinHash signature and LSH band keys, assign its cluster.

Runs in the caller's transaction and never commits. On PostgreSQL the assignment step (look up
stored band keys, insert, renumber) holds a transaction-scoped advisory lock until the commit, so
two requests storing copies of one story at the same moment are assigned one after the other and
the second sees the first: no split clusters under concurrent ingest. On SQLite writers are already
serialised (``BEGIN IMMEDIATE``). Signatures are computed before the lock is taken.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

import numpy as np
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from comparison.signatures import ClusterAssignment, TextSignatures, assign_clusters, sign_texts
from comparison.syndication import BUCKET_WINDOW, N_WORDS, NUM_PERM
from service.storage.tables import Article, ArticleBand, ArticleSignature

HEAD_CHARS = 12 * N_WORDS  # what shingling reads of a text (comparison.syndication.shingle_hashes)
LOCK_KEY = 7_310_460_010  # pg_advisory_xact_lock id of the cluster assignment step
_CHUNK = 1000


def sign_articles(session: Session, article_ids: Sequence[int]) -> ClusterAssignment | None:
    """Sign the articles that have no signature yet and put them into clusters of near-copies.

    Idempotent: already signed articles (a re-posted duplicate) are left alone. Returns what changed
    (``None`` when nothing was to be signed).
    """
    wanted = sorted(set(article_ids))
    texts: dict[int, str] = {}
    for chunk in _chunks(wanted):
        stmt = select(Article.id, func.substr(Article.text, 1, HEAD_CHARS)).where(Article.id.in_(chunk))
        texts.update((i, t) for i, t in session.execute(stmt))
    ids = [i for i in wanted if i in texts]
    if not ids:
        return None
    new = sign_texts([texts[i] for i in ids])
    _lock(session)
    signed = set()
    for chunk in _chunks(ids):
        stmt = select(ArticleSignature.article_id).where(ArticleSignature.article_id.in_(chunk))
        signed.update(session.scalars(stmt))
    if signed:
        keep = np.array([i not in signed for i in ids])
        ids = [i for i in ids if i not in signed]
        new = TextSignatures(new.signatures[keep], new.counts[keep])
        if not ids:
            return None
    keys = new.band_keys()
    known_ids, known, known_clusters = _candidates(session, keys[new.counts > 0])
    assignment = assign_clusters(ids, new, known_ids, known, known_clusters)
    _store(session, ids, new, keys, assignment)
    return assignment


def unsigned_article_ids(session: Session, *, limit: int) -> list[int]:
    """Up to ``limit`` ids of articles without a signature (stored before revision 0007), oldest first."""
    stmt = (
        select(Article.id)
        .outerjoin(ArticleSignature, ArticleSignature.article_id == Article.id)
        .where(ArticleSignature.article_id.is_(None))
        .order_by(Article.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def _candidates(session: Session, keys: np.ndarray) -> tuple[list[int], TextSignatures, list[int | None]]:
    """Stored articles sharing a band key with a new one: ids, signatures and current clusters.

    Only the ``BUCKET_WINDOW`` latest articles of each key are read. ``candidate_pairs`` pairs a
    new article with the window of texts before it in a bucket, and stored candidates come first in
    id order, so those latest ones are all it ever compares a new article with: every pair with a new
    article is the same as with every holder of the key read (only pairs of two stored articles,
    which were compared when they were stored, can be fewer), while the read stays bounded when a
    wire story has thousands of stored copies (each batch used to load them all: memory and time
    grew with the store).
    """
    latest = func.row_number().over(partition_by=ArticleBand.band_key, order_by=ArticleBand.article_id.desc())
    found: set[int] = set()
    for chunk in _chunks(sorted(set(keys.ravel().tolist()))):
        holders = (
            select(ArticleBand.article_id, latest.label("rank"))
            .where(ArticleBand.band_key.in_(chunk))
            .subquery()
        )
        found.update(session.scalars(select(holders.c.article_id).where(holders.c.rank <= BUCKET_WINDOW)))
    rows = []
    for chunk in _chunks(sorted(found)):
        stmt = select(
            ArticleSignature.article_id,
            ArticleSignature.n_shingles,
            ArticleSignature.signature,
            ArticleSignature.cluster_id,
        ).where(ArticleSignature.article_id.in_(chunk))
        rows += session.execute(stmt).all()
    signatures = np.frombuffer(b"".join(r[2] for r in rows), dtype="<u4").reshape(len(rows), NUM_PERM)
    counts = np.array([r[1] for r in rows], dtype=np.int64)
    return [r[0] for r in rows], TextSignatures(signatures, counts), [r[3] for r in rows]


def _store(
    session: Session, ids: list[int], new: TextSignatures, keys: np.ndarray, assignment: ClusterAssignment
) -> None:
    signature_rows = (
        (
            article_id,
            int(new.counts[k]),
            new.signatures[k].astype("<u4").tobytes(),
            assignment.cluster_of.get(article_id),
            assignment.similarity.get(article_id),
        )
        for k, article_id in enumerate(ids)
    )
    _insert(
        session,
        "article_signatures",
        ("article_id", "n_shingles", "signature", "cluster_id", "similarity"),
        signature_rows,
    )
    _insert(session, "article_bands", ("band_key", "article_id"), _band_rows(ids, new, keys))
    new_ids = set(ids)
    for article_id, cluster in assignment.cluster_of.items():  # stored articles that joined a cluster
        if article_id not in new_ids:
            session.execute(
                update(ArticleSignature)
                .where(ArticleSignature.article_id == article_id)
                .values(cluster_id=cluster, similarity=assignment.similarity.get(article_id))
            )
    for old, number in assignment.merged.items():
        session.execute(
            update(ArticleSignature).where(ArticleSignature.cluster_id == old).values(cluster_id=number)
        )


def _band_rows(ids: list[int], new: TextSignatures, keys: np.ndarray) -> Iterator[tuple[int, int]]:
    """``(band_key, article_id)`` for every signed article with shingles, made ``_CHUNK`` articles at
    a time (42 per article: as one list, a 10,000-article batch's rows were ~40 MiB)."""
    usable = new.counts > 0
    owners, owned = np.asarray(ids, dtype=np.int64)[usable], keys[usable]
    for start in range(0, len(owners), _CHUNK):
        part = owned[start : start + _CHUNK]
        repeated = np.repeat(owners[start : start + _CHUNK], part.shape[1])
        yield from zip(part.ravel().tolist(), repeated.tolist(), strict=True)


def _insert(session: Session, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Plain bulk insert through the driver: COPY on PostgreSQL, ``executemany`` on SQLite.

    42 band rows per article make ORM/Core parameter building the main cost of ingest (5x slower).
    The rows cannot conflict: articles are signed once, under the assignment lock (or SQLite's
    single writer), after checking that they have no signature yet. ``rows`` is consumed as it
    comes (a generator is not held as a list: on SQLite ``_CHUNK`` rows at a time).
    """
    connection = session.connection()
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()
        with cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        rows = iter(rows)
        while part := list(islice(rows, _CHUNK)):
            connection.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", part)


def _chunks(values: Sequence, size: int = _CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def forget_signature(session: Session, article_id: int) -> None:
    """Drop an article's signature and band keys (its text changed; ``sign_articles`` signs it again).

    The rest of its cluster keeps the cluster id, which names the article that started the cluster.
    """
    session.execute(delete(ArticleBand).where(ArticleBand.article_id == article_id))
    session.execute(delete(ArticleSignature).where(ArticleSignature.article_id == article_id))
