"""ArticleClassifier follows the scikit-learn estimator conventions (STYLE.md rule 12)."""

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from classifiers import ArticleClassifier

TITLE = "Moscow warns of nuclear response"
TEXT = (
    "Russia warned that it could use nuclear weapons if NATO crossed its red lines. "
    "Analysts said the threat raised the risk of a wider war in Europe."
)


def _parts(model):
    return model.sentence_model_, model.stance_aggregator_, model.thresholds_


def test_init_only_stores_keyword_arguments(two_target_codebook):
    clf = ArticleClassifier(codebook=None, target="anything", primary_ratio=-1)  # validated in fit, not here
    assert clf.get_params() == {
        "attribution_discount": 0.0,
        "codebook": None,
        "primary_ratio": -1,
        "target": "anything",
    }
    with pytest.raises(TypeError):
        ArticleClassifier(two_target_codebook)  # keyword-only


def test_unfitted_classifier_refuses_to_classify(two_target_model):
    fresh = clone(two_target_model)
    assert fresh.get_params() == two_target_model.get_params()
    for call in (lambda: fresh.classify(TITLE, TEXT), lambda: fresh.version, fresh.info):
        with pytest.raises(NotFittedError):
            call()


def test_fit_from_the_same_parts_gives_the_same_answers(two_target_model):
    refit = clone(two_target_model).fit(
        *_parts(two_target_model),
        manifest=two_target_model.manifest,
        article_head=two_target_model.article_head_,
    )
    assert refit.version == two_target_model.version
    assert refit.classify(TITLE, TEXT).to_dict() == two_target_model.classify(TITLE, TEXT).to_dict()


def test_set_params_changes_the_next_fit(two_target_model):
    neutralised = clone(two_target_model).set_params(attribution_discount=1.0).fit(*_parts(two_target_model))
    assert neutralised.attribution_discount == 1.0 and two_target_model.attribution_discount == 0.3
    assert neutralised.version == "unversioned"  # no manifest given


def test_fit_rejects_parts_that_do_not_belong_to_the_codebook(two_target_model):
    sentence_model, aggregator, thresholds = _parts(two_target_model)
    with pytest.raises(ValueError, match="one value per frame"):
        clone(two_target_model).fit(sentence_model, aggregator, thresholds[:3])
    with pytest.raises(ValueError, match="lexicons of 'sudan-ceasefire'"):
        clone(two_target_model).set_params(target="sudan-ceasefire").fit(
            sentence_model, aggregator, thresholds
        )
    with pytest.raises(ValueError, match="Codebook"):
        ArticleClassifier().fit(sentence_model, aggregator, thresholds)
    with pytest.raises(NotFittedError):
        clone(two_target_model).fit(sentence_model, clone(aggregator), thresholds)


def test_a_saved_model_loads_with_its_learned_state(two_target_model, tmp_path):
    joblib.dump(two_target_model, tmp_path / "m.joblib")
    loaded = joblib.load(tmp_path / "m.joblib")
    np.testing.assert_array_equal(loaded.thresholds_, two_target_model.thresholds_)
    assert loaded.classify(TITLE, TEXT).to_dict() == two_target_model.classify(TITLE, TEXT).to_dict()


def test_without_an_article_head_the_hand_set_rule_decides(two_target_model):
    rule = clone(two_target_model).fit(*_parts(two_target_model))
    assert rule.article_head_ is None
    assert rule.classify(TITLE, TEXT).status == "ok"
