"""Syndication at ingest: MinHash signatures, LSH band keys and incremental cluster assignment.

The comparison-time detector (:func:`comparison.syndication.find_syndication`) sees one selection of
texts at once. At ingest, new articles arrive a few at a time and must join the clusters of articles
stored earlier: the caller keeps each article's signature and band keys, looks up stored articles
sharing a band key with a new one, and :func:`assign_clusters` verifies the candidates with the same
threshold and numbers the clusters. Pure numpy; storage lives in ``service``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from comparison.syndication import (
    N_WORDS,
    NUM_PERM,
    ROWS_PER_BAND,
    SEED,
    THRESHOLD,
    DisjointSets,
    candidate_pairs,
    text_signatures,
    verified_pairs,
)

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


@dataclass(frozen=True)
class TextSignatures:
    """Per text: MinHash ``signatures`` (n, 126) uint32, shingle ``counts`` (0: too short to judge)."""

    signatures: np.ndarray
    counts: np.ndarray

    def band_keys(self, rows: int = ROWS_PER_BAND) -> np.ndarray:
        """(n, n_bands) signed 64-bit keys; two texts share key b exactly when they agree on band b.

        Each band's ``rows`` values and its position are mixed with splitmix64 (a bijection, so
        different bands collide only by chance, about 2**-64 per pair; a collision only adds a
        candidate that verification then rejects).
        """
        n, width = self.signatures.shape
        bands = self.signatures[:, : width - width % rows].astype(np.uint64).reshape(n, -1, rows)
        key = np.broadcast_to(np.arange(bands.shape[1], dtype=np.uint64), bands.shape[:2]).copy()
        with np.errstate(over="ignore"):
            for r in range(rows):
                key = _splitmix64(key ^ (bands[:, :, r] << np.uint64(8 * r)))
        return key.view(np.int64)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    x = (x + np.uint64(0x9E3779B97F4A7C15)) & _M64
    x = ((x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & _M64
    x = ((x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & _M64
    return x ^ (x >> np.uint64(31))


def sign_texts(texts: Sequence[str], *, n_words: int = N_WORDS) -> TextSignatures:
    """MinHash signatures of the texts' word 3-shingles (the comparison-time detector's, bit for bit)."""
    return TextSignatures(*text_signatures(texts, n_words=n_words, num_perm=NUM_PERM, seed=SEED))


@dataclass(frozen=True)
class ClusterAssignment:
    """What ingest changes: ``cluster_of`` (article id -> cluster id or ``None``) for the new articles
    and for stored articles that joined a cluster; ``merged`` (old cluster id -> new cluster id) for
    stored clusters that a new article joined together; ``similarity`` per article whose cluster
    changed (its best containment with another member)."""

    cluster_of: dict[int, int | None]
    merged: dict[int, int]
    similarity: dict[int, float]


def assign_clusters(
    new_ids: Sequence[int],
    new: TextSignatures,
    known_ids: Sequence[int],
    known: TextSignatures,
    known_clusters: Sequence[int | None],
    *,
    threshold: float = THRESHOLD,
) -> ClusterAssignment:
    """Put new articles into the clusters of the stored candidates (and of each other) they copy.

    ``known_*`` are the stored articles that share a band key with some new article, with their
    current cluster ids. Pairs are LSH candidates verified as in ``find_syndication``; the connected
    components (stored clusters count as connected) that hold a new article become one cluster whose
    id is the smallest article or cluster id in it, i.e. the id of its earliest stored article.
    A new article that copies nothing gets ``None``.
    """
    ids = [int(i) for i in known_ids] + [int(i) for i in new_ids]
    n_known = len(known_ids)
    signatures = np.vstack([known.signatures, new.signatures]) if n_known else new.signatures
    counts = np.concatenate([known.counts, new.counts]) if n_known else new.counts
    forest = DisjointSets(len(ids))
    union = forest.union
    first_of_cluster: dict[int, int] = {}
    for i, cluster in enumerate(known_clusters):
        if cluster is not None:
            union(first_of_cluster.setdefault(int(cluster), i), i)
    best: dict[int, float] = {}
    for a, b, score in verified_pairs(signatures, counts, candidate_pairs(signatures, counts > 0), threshold):
        union(a, b)
        for i in (a, b):
            best[i] = max(best.get(i, 0.0), score)
    members: dict[int, list[int]] = {}
    for i in range(len(ids)):
        members.setdefault(forest.root(i), []).append(i)
    cluster_of: dict[int, int | None] = {ids[i]: None for i in range(n_known, len(ids))}
    merged: dict[int, int] = {}
    similarity: dict[int, float] = {}
    for group in members.values():
        if len(group) < 2:
            continue
        old = {int(known_clusters[i]) for i in group if i < n_known and known_clusters[i] is not None}
        number = min([ids[i] for i in group] + list(old))
        for i in group:
            if i >= n_known or known_clusters[i] is None:
                cluster_of[ids[i]] = number
                if i in best:
                    similarity[ids[i]] = round(best[i], 4)
        merged.update((c, number) for c in old if c != number)
    return ClusterAssignment(cluster_of, merged, similarity)
