"""The served featuriser and heads skip scipy/sklearn overhead; their output must stay bit-identical.

Each fast function is checked against the scipy or sklearn expression it replaces, with exact
equality (same entries in the same stored order, same float32 bits), and whole classifications
through the fast path against the reference path on the corpus and the real eval articles.
"""

import json

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.utils.validation import validate_data

from classifiers.article import flatten, prepare_article
from classifiers.corpus import load_corpus
from classifiers.models import MultiLabelLogit, logistic_proba, pipeline_proba
from classifiers.scoring import EVAL_DIR
from classifiers.sparse_rows import (
    Rows,
    count_ngrams,
    hstack_rows,
    matmat_indicator,
    merge_columns,
    row_sums_of_squares,
    scale_rows,
)

EVAL_ARTICLES = EVAL_DIR / "articles.jsonl"


def rows_of(m: sp.csr_matrix) -> Rows:
    return Rows(m.data, m.indices, m.indptr, m.shape[1])


def assert_same(rows: Rows, ref: sp.csr_matrix) -> None:
    """Same entries, same stored order, same dtype and bits."""
    assert np.array_equal(rows.indptr, ref.indptr)
    assert np.array_equal(rows.indices, ref.indices)
    assert rows.data.dtype == ref.data.dtype
    assert np.array_equal(rows.data.view(np.uint8), ref.data.view(np.uint8))


def random_counts(seed: int, n_rows: int = 40, n_cols: int = 60, shuffled: bool = False) -> sp.csr_matrix:
    """Integer counts (some empty rows); ``shuffled`` leaves rows non-canonical, as products do."""
    rng = np.random.default_rng(seed)
    dense = rng.integers(0, 4, size=(n_rows, n_cols)) * (rng.random((n_rows, n_cols)) < 0.15)
    dense[rng.random(n_rows) < 0.2] = 0
    m = sp.csr_matrix(dense.astype(np.float32))
    if shuffled:
        for r in range(n_rows):
            a, b = m.indptr[r], m.indptr[r + 1]
            perm = a + rng.permutation(b - a)
            m.indices[a:b], m.data[a:b] = m.indices[perm].copy(), m.data[perm].copy()
        m.has_sorted_indices = False
    return m


def indicator(rng: np.random.Generator, n_rows: int, n_cols: int, per_row: int) -> sp.csr_matrix:
    rows = np.repeat(np.arange(n_rows), per_row)
    cols = rng.integers(0, n_cols, size=len(rows))
    m = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(n_rows, n_cols))
    m.data[:] = 1.0
    return m


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("shuffled", [False, True])
def test_products_keep_scipy_order_and_bits(seed, shuffled):
    counts = random_counts(seed, shuffled=shuffled)
    rng = np.random.default_rng(seed)
    lexicon = indicator(rng, counts.shape[1], 7, per_row=2)
    assert_same(matmat_indicator(rows_of(counts), lexicon.indptr, lexicon.indices, 7), counts @ lexicon)
    merge = sp.csr_matrix(
        (np.ones(60, np.float32), (np.arange(60), np.r_[np.arange(50), rng.integers(0, 50, 10)])),
        shape=(60, 50),
    )
    assert_same(merge_columns(rows_of(counts), merge.indptr, merge.indices, 50), (counts @ merge).tocsr())
    tf = counts.copy()
    np.log1p(tf.data, out=tf.data)
    ref_sums = np.asarray(tf.multiply(tf).sum(axis=1)).ravel()
    sums = row_sums_of_squares(rows_of(tf))
    assert sums.dtype == ref_sums.dtype and np.array_equal(sums, ref_sums)
    norms = np.sqrt(ref_sums)
    norms[norms == 0] = 1.0
    assert_same(scale_rows(rows_of(tf), (1.0 / norms).astype(np.float32)), sp.diags(1.0 / norms) @ tf)
    right = counts @ lexicon
    assert_same(hstack_rows(rows_of(tf), rows_of(right)), sp.hstack([tf, right], format="csr"))


def test_merge_of_a_variant_next_to_its_canonical_form_sums_the_counts():
    counts = sp.csr_matrix(np.array([[1, 0, 2], [0, 3, 1]], np.float32))
    merge = sp.csr_matrix(np.array([[1, 0], [0, 1], [1, 0]], np.float32))  # column 2 spells column 0
    assert_same(merge_columns(rows_of(counts), merge.indptr, merge.indices, 2), (counts @ merge).tocsr())


def test_ngram_counts_equal_the_vectorizer(model):
    vectorizer = model.sentence_model_.featurizer.vectorizer_
    docs = [
        "Kyiv's forces said \u201cno\u201d to the ceasefire talks.",
        "",
        "Talks, talks and more talks: de-escalation in the Donbas region?",
        "Zzz qqq",
    ]
    assert_same(count_ngrams(vectorizer, docs), vectorizer.transform(docs))


def test_ngram_counts_fall_back_for_other_analysers(model):
    from sklearn.base import clone

    other = clone(model.sentence_model_.featurizer.vectorizer_).set_params(lowercase=False)
    assert count_ngrams(other, ["Any text"]) is None


def corpus_sentence_batches(codebook, n_per_batch: int = 6) -> list[list[str]]:
    corpus = load_corpus(codebook)
    prepared = [prepare_article(a.title, a.text) for a in corpus.articles]
    batches = [flatten(prepared[i : i + n_per_batch])[0] for i in range(0, len(prepared), n_per_batch)]
    return [b for b in batches if b]


def test_featuriser_equals_the_reference_path_on_the_corpus(model, codebook):
    featurizer = model.sentence_model_.featurizer
    for texts in corpus_sentence_batches(codebook):
        counts = featurizer.transform_counts(texts)
        features, matches = featurizer.transform_with_lexicon(texts)
        assert_same(rows_of(features), featurizer.features_from_counts(counts))
        reference = featurizer.lexicon_counts(counts)
        assert matches.dtype == reference.dtype and np.array_equal(matches, reference)


def test_heads_equal_sklearn_predict_proba(model, codebook):
    sm = model.sentence_model_
    texts = corpus_sentence_batches(codebook)[0]
    X = sm.featurizer.transform(texts)
    X64 = validate_data(sm.stance_head, X, accept_sparse="csr", reset=False, dtype=np.float64)
    for head in (sm.frame_head, sm.stance_head):
        assert np.array_equal(head.predict_proba(X64), head.predict_proba(X))
    lr = sm.stance_head.estimators_[0]
    assert np.array_equal(logistic_proba(lr, X64), lr.predict_proba(X64))
    rng = np.random.default_rng(0)
    stance_features = rng.random((5, 11))
    aggregator = model.stance_aggregator_
    expected = aggregator.predict_proba(stance_features)
    assert np.array_equal(pipeline_proba(aggregator, stance_features), expected)


@pytest.fixture
def reference_path(monkeypatch, model):
    """Classify through the scipy/sklearn expressions the fast path replaced."""
    featurizer = type(model.sentence_model_.featurizer)

    def slow(self, texts):
        counts = self.transform_counts(texts)
        return self.features_from_counts(counts), self.lexicon_counts(counts)

    def checked(self, X):
        return validate_data(self, X, accept_sparse="csr", reset=False, dtype=np.float64)

    monkeypatch.setattr(featurizer, "transform_with_lexicon", slow)
    monkeypatch.setattr(MultiLabelLogit, "_checked", checked)
    monkeypatch.setattr("classifiers.classifier.pipeline_proba", lambda p, X: p.predict_proba(X))
    monkeypatch.setattr("classifiers.models.logistic_proba", lambda lr, X: lr.predict_proba(X))


def real_articles(codebook) -> list[tuple[str, str, None]]:
    items = [(a.title, a.text, None) for a in load_corpus(codebook).articles[::3]]
    if EVAL_ARTICLES.is_file():
        rows = [json.loads(line) for line in EVAL_ARTICLES.read_text(encoding="utf-8").splitlines() if line]
        items += [(r.get("title") or "", r["text"], None) for r in rows if r.get("text")]
    german = "Der Krieg geht weiter, sagt die Regierung. " * 5
    return items + [("", "Too short.", None), ("Krieg", german, None)]


def test_classifications_equal_the_reference_path(model, codebook, request):
    items = real_articles(codebook)
    fast = [r.to_dict() for i in range(0, len(items), 5) for r in model.classify_many(items[i : i + 5])]
    request.getfixturevalue("reference_path")
    slow = [r.to_dict() for i in range(0, len(items), 5) for r in model.classify_many(items[i : i + 5])]
    assert fast == slow  # labels, scores and evidence, to the last bit


def test_pass_size_does_not_change_results(model, codebook, monkeypatch):
    """``classify_many`` featurises ``BATCH_ARTICLES`` at a time (memory); results do not depend on it."""
    items = real_articles(codebook)[:11]
    whole = [r.to_dict() for r in model.classify_many(items)]
    monkeypatch.setattr("classifiers.classifier.BATCH_ARTICLES", 4)
    assert [r.to_dict() for r in model.classify_many(items)] == whole
