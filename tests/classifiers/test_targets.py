"""Stance is served only for targets the fitted model has a stance model for (two-target codebook)."""

import pytest

from classifiers import ClassifierError, UnknownTargetError, UntrainedTargetError

TITLE = "Allies pledge new air defence package for Ukraine"
TEXT = (
    "Germany and the Netherlands pledged a new package of air defence systems for Ukraine on Tuesday. "
    "Officials in Kyiv said deliveries of the Patriot batteries would begin within weeks. "
    "Russia called the deliveries a provocation and warned of escalation."
)


def test_the_model_knows_which_targets_it_has_a_stance_model_for(two_target_model, two_target_codebook):
    assert two_target_codebook.target_keys == ("ukraine-support", "sudan-ceasefire")
    assert two_target_model.stance_targets_ == ("ukraine-support",)


def test_the_trained_target_gets_stance_scores(two_target_model):
    for target in (None, "ukraine-support"):
        stance = two_target_model.classify(TITLE, TEXT, target=target).stance
        assert stance.target == "ukraine-support"
        assert sum(stance.scores.values()) == pytest.approx(1.0)
        assert stance.label in ("favor", "against", "neutral")


def test_a_codebook_target_without_a_stance_model_is_an_error_not_zero_scores(two_target_model):
    with pytest.raises(UntrainedTargetError, match="'sudan-ceasefire'.*ukraine-support") as info:
        two_target_model.classify(TITLE, TEXT, target="sudan-ceasefire")
    assert isinstance(info.value, ClassifierError)  # the service answers ClassifierError with 422


def test_one_untrained_target_fails_the_whole_batch_before_any_work(two_target_model):
    items = [(TITLE, TEXT, None), (TITLE, TEXT, "sudan-ceasefire")]
    with pytest.raises(UntrainedTargetError):
        two_target_model.classify_many(items)


def test_a_target_outside_the_codebook_is_still_unknown(two_target_model):
    with pytest.raises(UnknownTargetError, match="sudan-ceasefire"):
        two_target_model.classify(TITLE, TEXT, target="mars-support")
