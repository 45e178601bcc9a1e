"""Excerpts of corpus articles for the article head: codebook-rule gold, seeding, no fold leakage."""

import numpy as np
import pytest

from classifiers.article_head import corpus_evidence, corpus_excerpts
from classifiers.build import model_version
from classifiers.cv import article_head_oof, head_excerpts
from classifiers.params import resolve_params
from classifiers.training import SentenceTable


def _table(n_articles=6, n_body=8, k=2, seed=0):
    """Articles of a headline plus ``n_body`` sentences; frame 0 only in the lede, frame 1 in body."""
    rng = np.random.default_rng(seed)
    texts, frames, art, lede = [], [], [], []
    for i in range(n_articles):
        for j in range(n_body + 1):
            texts.append(f"a{i} s{j}")
            frames.append([int(j == 1), int(j >= 2 and j % 2 == 0)][:k])
            art.append(i)
            lede.append(j <= 1)
    proba = rng.random((len(texts), k))
    table = SentenceTable(
        texts, np.asarray(frames), np.full(len(texts), None, object), np.asarray(art), np.asarray(lede)
    )
    return table, proba


def test_excerpts_are_seeded_and_own_their_article():
    table, proba = _table()
    a = corpus_excerpts(table, 6, proba, n_per=3, keep=0.5, random_state=0)
    b = corpus_excerpts(table, 6, proba, n_per=3, keep=0.5, random_state=0)
    c = corpus_excerpts(table, 6, proba, n_per=3, keep=0.5, random_state=1)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])
    assert a[0].shape == (18, 2, corpus_evidence(table, 6, proba).shape[2])
    assert a[2].tolist() == [i for i in range(6) for _ in range(3)]


def test_keeping_every_sentence_gives_the_whole_article():
    table, proba = _table()
    X, y, _ = corpus_excerpts(table, 6, proba, n_per=2, keep=1.0, random_state=0)
    whole = corpus_evidence(table, 6, proba)
    assert np.allclose(X[::2], whole) and np.allclose(X[1::2], whole)
    assert (y == 1).all()  # frame 0 in the lede, frame 1 in four body sentences


def test_gold_follows_the_codebook_rule_on_short_excerpts():
    table, proba = _table()
    _, y, _ = corpus_excerpts(table, 6, proba, n_per=4, keep=0.0, random_state=0)
    # only headline and lede are left: frame 0 (lede) stays, frame 1 (body only) is gone
    assert (y[:, 0] == 1).all() and (y[:, 1] == 0).all()


@pytest.mark.parametrize("kw", [{"n_per": -1, "keep": 0.5}, {"n_per": 2, "keep": 1.5}])
def test_bad_excerpt_options_fail_clearly(kw):
    table, proba = _table()
    with pytest.raises(ValueError, match="n_per|keep"):
        corpus_excerpts(table, 6, proba, random_state=0, **kw)


def test_excerpts_of_held_out_articles_never_train_their_fold():
    table, proba = _table(n_articles=10)
    X = corpus_evidence(table, 10, proba)
    gold = np.random.default_rng(3).integers(0, 2, (10, 2))
    events = np.arange(10) // 2  # five events of two articles
    Xe, ye, owner = corpus_excerpts(table, 10, proba, n_per=4, keep=0.5, random_state=0)
    mine = np.isin(owner, [0, 1])  # excerpts of event 0 only, with labels flipped to poison them
    base = article_head_oof(X, gold, events, 1.0)
    with_own = article_head_oof(X, gold, events, 1.0, (Xe[mine], 1 - ye[mine], owner[mine]))
    assert np.allclose(with_own[:2], base[:2])  # event 0's predictions never saw its excerpts
    assert not np.allclose(with_own[2:], base[2:])  # they did train the other folds


def test_excerpt_options_are_part_of_the_version_only_when_on(codebook):
    from classifiers import load_corpus

    corpus = load_corpus(codebook)
    off = model_version(codebook, corpus, resolve_params(None))
    assert model_version(codebook, corpus, resolve_params({"article_head_excerpt_keep": 0.7})) == off
    on = model_version(codebook, corpus, resolve_params({"article_head_excerpts": 4}))
    assert on != off
    assert on != model_version(
        codebook, corpus, resolve_params({"article_head_excerpts": 4, "article_head_excerpt_keep": 0.7})
    )


def test_head_excerpts_reads_the_params():
    table, proba = _table()
    assert head_excerpts(table, 6, proba, resolve_params(None)) is None
    ex = head_excerpts(table, 6, proba, resolve_params({"article_head_excerpts": 2}))
    assert len(ex[1]) == 12


def test_training_with_excerpts_records_them_and_changes_the_head(two_target_codebook, two_target_model):
    import warnings
    from dataclasses import replace

    from classifiers import load_corpus, train

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = load_corpus(two_target_codebook)
    small = replace(corpus, articles=corpus.articles[::4], hash="quarter")
    model = train(two_target_codebook, small, {"n_folds": 2, "article_head_excerpts": 2})
    assert model.manifest["params"]["article_head_excerpts"] == 2
    assert model.version != two_target_model.version
    coef = [e.coef_ for e in model.article_head_.estimators_ if not isinstance(e, float)]
    base = [e.coef_ for e in two_target_model.article_head_.estimators_ if not isinstance(e, float)]
    assert not all(np.allclose(a, b) for a, b in zip(coef, base, strict=True))
