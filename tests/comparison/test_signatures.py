"""Syndication at ingest: band keys, incremental cluster assignment on reworded and trimmed copies."""

import random

import numpy as np

from comparison.signatures import TextSignatures, assign_clusters, sign_texts
from comparison.syndication import find_syndication
from tests.collection import EVENTS, WIRE_REPRINTS, articles

WORDS = [f"word{i}" for i in range(2000)]
EMPTY = TextSignatures(np.zeros((0, 126), np.uint32), np.zeros(0, np.int64))


def text(rng, n=150):
    return " ".join(rng.choices(WORDS, k=n))


def ingest_one_by_one(texts):
    """Assign clusters as ingest does: each text against the stored ones sharing a band key."""
    stored: dict[int, tuple[TextSignatures, int | None]] = {}
    for article_id, body in enumerate(texts, start=1):
        new = sign_texts([body])
        keys = set(new.band_keys()[0].tolist())
        known = [i for i, (s, _) in stored.items() if keys & set(s.band_keys()[0].tolist())]
        known_sigs = (
            TextSignatures(
                np.vstack([stored[i][0].signatures for i in known]),
                np.concatenate([stored[i][0].counts for i in known]),
            )
            if known
            else EMPTY
        )
        result = assign_clusters([article_id], new, known, known_sigs, [stored[i][1] for i in known])
        for old, number in result.merged.items():
            stored = {i: (s, number if c == old else c) for i, (s, c) in stored.items()}
        for i, cluster in result.cluster_of.items():
            stored[i] = (new if i == article_id else stored[i][0], cluster)
    return {i: c for i, (_, c) in stored.items()}


def test_band_keys_agree_exactly_when_bands_agree():
    rng = random.Random(1)
    base = text(rng)
    signed = sign_texts([base, base, text(rng)])
    keys = signed.band_keys()
    assert keys.shape == (3, 42) and keys.dtype == np.int64
    assert (keys[0] == keys[1]).all()
    same_band = (signed.signatures[0].reshape(42, 3) == signed.signatures[2].reshape(42, 3)).all(axis=1)
    assert ((keys[0] == keys[2]) == same_band).all()
    assert len(set(keys[0].tolist())) == 42  # the band's position is part of its key


def test_wire_copies_join_one_cluster_at_ingest_as_at_comparison_time():
    """Verbatim, trimmed, intro added, lightly reworded: each joins the first copy's cluster."""
    items = articles()
    texts = [a["text"] for a in items]
    clusters = ingest_one_by_one(texts)
    wire = [i + 1 for i, a in enumerate(items) if a["id"] in {f"{o}/{EVENTS[1]}" for o in WIRE_REPRINTS}]
    assert {clusters[i] for i in wire} == {min(wire)}
    assert all(clusters[i] is None for i in clusters if i not in wire)
    detected = find_syndication(texts, list(range(1, len(texts) + 1)), [a["outlet"] for a in items])
    assert [sorted(c.article_ids) for c in detected.clusters] == [wire]


def test_unrelated_texts_get_no_cluster_and_a_third_copy_merges_split_clusters():
    rng = random.Random(3)
    assert set(ingest_one_by_one([text(rng) for _ in range(60)]).values()) == {None}
    story = text(rng)
    # Two copies of one story sit in clusters 1 and 3 (say two transactions raced); a third copy
    # matches both, so the clusters become one, named by the smaller id.
    signed = sign_texts([story, story + " said officials", "Update: " + story])
    merged = assign_clusters(
        [9],
        TextSignatures(signed.signatures[2:], signed.counts[2:]),
        [1, 3],
        TextSignatures(signed.signatures[:2], signed.counts[:2]),
        [1, 3],
    )
    assert merged.cluster_of == {9: 1} and merged.merged == {3: 1}
    assert merged.similarity[9] >= 0.6
    alone = assign_clusters([5], sign_texts([text(rng)]), [], EMPTY, [])
    assert alone.cluster_of == {5: None} and alone.merged == {} and alone.similarity == {}


def test_thousands_of_copies_make_one_cluster_with_linear_work():
    """A wire story copied 3,000 times: one cluster, and candidate pairs grow linearly, not as n^2/2."""
    from comparison.syndication import BUCKET_WINDOW, NUM_PERM, ROWS_PER_BAND, candidate_pairs

    body = "The council voted on the budget and critics said the plan cuts services. " * 8
    new = sign_texts([f"{body} item {i}" for i in range(3_000)])
    pairs = candidate_pairs(new.signatures, new.counts > 0)
    assert len(pairs) <= 3_000 * BUCKET_WINDOW * (NUM_PERM // ROWS_PER_BAND) < 3_000 * 2_999 // 2
    empty = TextSignatures(new.signatures[:0], new.counts[:0])
    assignment = assign_clusters(list(range(3_000)), new, [], empty, [])
    assert set(assignment.cluster_of.values()) == {0}


def test_signatures_computed_in_passes_equal_one_pass_over_all_texts():
    """Ingest signs 1,000 texts in passes of 50 to bound memory; every bit must match one pass,
    including short texts (no shingles) and empty ones at the pass boundaries."""
    from comparison.syndication import _TEXTS_PER_PASS, minhash_signatures, shingle_hashes, text_signatures

    rng = random.Random(7)
    texts = [text(rng, rng.choice([0, 10, 40, 150, 400])) for _ in range(2 * _TEXTS_PER_PASS + 37)]
    texts[_TEXTS_PER_PASS - 1] = texts[_TEXTS_PER_PASS] = ""
    hashes, counts = shingle_hashes(texts)
    signatures, passed_counts = text_signatures(texts)
    np.testing.assert_array_equal(passed_counts, counts)
    np.testing.assert_array_equal(signatures, minhash_signatures(hashes, counts))
    assert text_signatures([])[0].shape == (0, signatures.shape[1])
