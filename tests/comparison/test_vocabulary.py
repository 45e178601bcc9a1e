"""Term counting and Fightin' Words."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from comparison import (
    InvalidParameterError,
    NotEnoughDataError,
    count_document_terms,
    count_terms,
    fightin_words,
)
from comparison.vocabulary import TOKEN_PATTERN

TEXTS = [
    "The missile strike hit Kyiv's power grid; officials said 12 people died.",
    "Missile strikes: the Kremlin called it 'provocation'. NATO denied it.",
    "Café owners in Kyiv counted the damage — again, the grid failed.",
    "U.S.-made ATACMS missiles, the Pentagon said, were used in the strike.",
    "",
]
LABELS = ["b", "a", "b", "c", "a"]


def test_count_terms_equals_countvectorizer_summed_per_label():
    fast = count_terms(TEXTS, LABELS)
    vectorizer = CountVectorizer(token_pattern=TOKEN_PATTERN, stop_words="english")
    matrix = vectorizer.fit_transform(TEXTS).toarray()
    vocab = list(vectorizer.get_feature_names_out())
    assert list(fast.vocabulary) == vocab
    assert fast.labels == ("a", "b", "c")
    for i, label in enumerate(fast.labels):
        rows = [j for j, lab in enumerate(LABELS) if lab == label]
        assert fast.counts[i].toarray().ravel().tolist() == matrix[rows].sum(axis=0).tolist()


def test_document_counts_aggregate_to_the_same_counts():
    per_doc = count_document_terms(TEXTS)
    aggregated = per_doc.aggregate(LABELS)
    fast = count_terms(TEXTS, LABELS)
    assert aggregated.labels == fast.labels
    assert aggregated.vocabulary == fast.vocabulary
    assert (aggregated.counts != fast.counts).nnz == 0


def test_truncation_keeps_whole_words_only():
    counts = count_terms(["alpha bravo charlie delta"], ["x"], max_chars_per_article=14)
    assert counts.vocabulary == ("alpha", "bravo")  # "charlie" cut at 14 chars is dropped, not split
    with pytest.raises(InvalidParameterError):
        count_terms(["a"], ["x"], max_chars_per_article=0)


def _corpus():
    rng = np.random.default_rng(0)
    common = [f"word{i}" for i in range(40)]
    texts, labels = [], []
    for outlet in ("alpha", "beta", "gamma"):
        for _ in range(30):
            words = list(rng.choice(common, size=60))
            if outlet == "beta":
                words += ["denazification"] * 2  # used only by beta
            texts.append(" ".join(words))
            labels.append(outlet)
    return texts, labels


def test_term_used_only_by_one_outlet_ranks_first():
    texts, labels = _corpus()
    result = fightin_words(count_terms(texts, labels), n_terms=5)
    beta = result.terms_for("beta")
    assert beta[0].term == "denazification"
    assert beta[0].rank == 1
    assert beta[0].count == 60 and beta[0].count_rest == 0
    assert beta[0].z_score > 5
    assert all(t.term != "denazification" for t in result.terms_for("alpha"))
    assert "denazification" in result.summary()


def test_fightin_words_hand_computed_z():
    # two outlets, two terms, alpha0 = 4 with a flat prior (a_w = 2)
    counts = np.array([[8, 2], [2, 8]])
    result = fightin_words(
        counts, labels=["x", "y"], vocabulary=["t1", "t2"], prior=[1, 1], alpha0=4, min_count=1, n_terms=1
    )
    delta = np.log(10 / 4) - np.log(4 / 10)  # (8+2)/(10+4-8-2) vs (2+2)/(10+4-2-2)
    z = delta / np.sqrt(1 / 10 + 1 / 4)
    top_x = result.terms_for("x")[0]
    assert top_x.term == "t1"
    assert top_x.log_odds_ratio == pytest.approx(delta)
    assert top_x.z_score == pytest.approx(z)


def test_precomputed_counts_give_the_same_result():
    texts, labels = _corpus()
    counts = count_terms(texts, labels)
    from_array = fightin_words(counts.counts.toarray(), labels=counts.labels, vocabulary=counts.vocabulary)
    assert from_array == fightin_words(counts)


def test_fightin_words_refuses_bad_input():
    with pytest.raises(NotEnoughDataError):
        fightin_words(np.array([[1, 2]]), labels=["x"], vocabulary=["a", "b"])
    with pytest.raises(InvalidParameterError):
        fightin_words(np.array([[1, 2], [3, 4]]), labels=["x", "y"], vocabulary=["a"])
    with pytest.raises(NotEnoughDataError):
        fightin_words(np.array([[1, 0], [0, 1]]), labels=["x", "y"], vocabulary=["a", "b"], min_count=5)


def test_no_text_gives_empty_counts_and_a_clear_error():
    empty = count_terms([], [])
    assert empty.labels == () and empty.vocabulary == ()
    blank = count_terms(["", "the and"], ["x", "y"])  # only stop words
    assert blank.labels == ("x", "y") and blank.counts.shape == (2, 0)
    with pytest.raises(NotEnoughDataError):
        fightin_words(blank)
