import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from classifiers.build import train
from classifiers.corpus import load_corpus
from classifiers.features import SentenceFeaturizer, lexicons_from_codebook
from classifiers.models import MultiLabelLogit, make_sentence_pipeline


@parametrize_with_checks([MultiLabelLogit(random_state=0)])
def test_sklearn_compatible_head(estimator, check):
    check(estimator)


def test_multilabel_head_scores_each_label():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0, np.zeros(200)]).astype(int)
    clf = MultiLabelLogit(random_state=0).fit(X, Y)
    proba = clf.predict_proba(X)
    assert proba.shape == (200, 3) and clf.predict(X).shape == (200, 3)
    assert (proba[:, 2] == 0).all()  # a label never seen positive stays at zero
    assert ((proba[:, 0] > 0.5) == (X[:, 0] > 0)).mean() > 0.9


def test_featurizer_conventions(codebook):
    lex = lexicons_from_codebook(codebook)
    feat = SentenceFeaturizer(lexicons=lex, min_df=1)
    assert clone(feat).get_params()["min_df"] == 1
    with pytest.raises(NotFittedError):
        feat.transform(["text"])
    with pytest.raises(TypeError):
        SentenceFeaturizer(lex)  # keyword-only
    feat.fit(["Missiles struck the base.", "Talks on a ceasefire resumed amid escalation."])
    counts = feat.transform_counts(["A ceasefire and peace talks were announced; nuclear escalation feared."])
    hits = dict(zip(feat.lexicon_names_, feat.lexicon_counts(counts)[0], strict=True))
    assert hits["diplomacy-negotiation"] >= 2 and hits["escalation-risk"] >= 2
    assert feat.transform(["x y z"]).shape[1] == feat.n_features_out_


def test_sentence_pipeline_fits_text(codebook):
    pipe = make_sentence_pipeline(lexicons=lexicons_from_codebook(codebook), min_df=1)
    X = [
        "Artillery shelled the front line.",
        "Ceasefire talks resumed.",
        "Troops advanced on the village.",
        "Envoys met to negotiate a truce.",
    ]
    y = np.array([[1, 0], [0, 1], [1, 0], [0, 1]])
    assert pipe.fit(X, y).predict_proba(["Negotiators discussed a truce."]).shape == (1, 2)


def test_training_is_deterministic(codebook):
    corpus = load_corpus(codebook)
    small = type(corpus)(articles=corpus.articles[::5], hash="small", files=corpus.files)
    params = {"n_folds": 2}
    a, b = train(codebook, small, params), train(codebook, small, params)
    text = "Allies pledged new air defence systems. Moscow warned of retaliation and nuclear escalation."
    ra, rb = a.classify("Aid pledged", text), b.classify("Aid pledged", text)
    assert a.version == b.version and ra.to_dict() == rb.to_dict()
    np.testing.assert_array_equal(a.thresholds_, b.thresholds_)


def test_multilabel_head_params_round_trip_through_clone():
    params = {"C": 2.5, "class_weight": None, "max_iter": 50, "random_state": 3}
    clf = MultiLabelLogit(**params)
    assert clf.get_params() == params and clone(clf).get_params() == params
    assert clone(clf.set_params(C=0.5)).C == 0.5


def _labels(seed: int, n_labels: int):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(120, 4))
    Y = np.column_stack([X[:, j % 4] > 0 for j in range(n_labels)] + [np.ones(120)]).astype(int)
    return X, Y


def test_multilabel_head_learns_everything_in_fit_and_predict_changes_nothing():
    X, Y = _labels(0, 3)
    clf = MultiLabelLogit(random_state=0).fit(X, Y)
    learned = dict(vars(clf))
    assert {"stacked_coef_", "stacked_intercept_", "constant_proba_"} <= set(learned)
    proba = clf.predict_proba(X)
    assert vars(clf).keys() == learned.keys()  # no state cached during predict
    per_label = np.column_stack([e.predict_proba(X)[:, 1] for e in clf.estimators_])
    np.testing.assert_allclose(proba, per_label, rtol=0, atol=1e-12)
    assert (proba[:, -1] == 1.0).all()  # a label always positive in training stays at one


def test_multilabel_head_refit_replaces_the_stacked_weights():
    clf = MultiLabelLogit(random_state=0).fit(*_labels(0, 3))
    X, Y = _labels(1, 1)
    assert clf.fit(X, Y).predict_proba(X).shape == (120, 2)
    assert clf.stacked_coef_.shape == (4, 2)


def test_article_head_probabilities_equal_each_logistic_regressions_predict_proba():
    """The head computes each frame's probability itself (no per-frame predict_proba call): same values."""
    from classifiers.article_head import ArticleFrameHead

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3, 14))
    y = (X[:, :, 0] + rng.normal(scale=0.5, size=(60, 3)) > 0).astype(int)
    y[:, 2] = 1  # a frame present in every training article: a constant, not a model
    head = ArticleFrameHead().fit(X, y)
    fresh = rng.normal(size=(5, 3, 14))
    expected = np.column_stack(
        [head.estimators_[j].predict_proba((fresh[:, j] - head.mean_) / head.scale_)[:, 1] for j in range(2)]
    )
    proba = head.predict_proba(fresh)
    np.testing.assert_array_equal(proba[:, :2], expected)
    np.testing.assert_array_equal(proba[:, 2], 1.0)
    assert proba[:, :2].min() > 0.0 and proba[:, :2].max() < 1.0
