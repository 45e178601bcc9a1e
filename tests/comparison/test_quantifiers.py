"""Article-level candidates of the correction evaluation: PCC, PACC, the Bayesian misclassification model."""

from __future__ import annotations

import numpy as np
import pytest

from comparison.correction import binary_counts
from comparison.errors import InvalidParameterError
from comparison.quantifiers import ScoreValidation, bayes_count_share, pacc_share, pcc_share


def _scores(rng: np.random.Generator, truth: np.ndarray) -> np.ndarray:
    """Calibrated-looking probabilities: Beta(5, 2) for articles using the frame, Beta(2, 5) otherwise."""
    return np.where(truth, rng.beta(5, 2, len(truth)), rng.beta(2, 5, len(truth)))


def _score_validation(scores: np.ndarray, truth: np.ndarray) -> ScoreValidation:
    pos, neg = scores[truth], scores[~truth]
    return ScoreValidation(len(pos), pos.sum(), (pos**2).sum(), len(neg), neg.sum(), (neg**2).sum())


def test_pacc_is_unbiased_under_prior_shift_where_pcc_is_not():
    rng = np.random.default_rng(7)
    pcc, pacc, covered = [], [], []
    for rep in range(150):
        v_truth = rng.random(400) < 0.5
        validation = _score_validation(_scores(rng, v_truth), v_truth)
        truth = rng.random(300) < 0.15
        s = _scores(rng, truth)
        pcc.append(pcc_share(s.sum(), (s**2).sum(), 300).share - truth.mean())
        c = pacc_share(s.sum(), (s**2).sum(), 300, validation, n_draws=1000, random_state=rep)
        pacc.append(c.share - truth.mean())
        covered.append(c.ci_low <= truth.mean() <= c.ci_high)
    assert np.mean(pcc) > 0.1  # the mean probability drifts toward the middle
    assert np.mean(pacc) == pytest.approx(0, abs=0.015)
    assert np.mean(covered) >= 0.9


def test_bayes_count_covers_the_true_count_with_a_matching_prior():
    rng = np.random.default_rng(8)
    covered, errors, raw = [], [], []
    for rep in range(150):
        v_truth = rng.random(200) < 0.4
        v_pred = np.where(v_truth, rng.random(200) < 0.8, rng.random(200) < 0.1)
        p = rng.beta(2, 3)
        truth = rng.random(15) < p
        labelled = np.where(truth, rng.random(15) < 0.8, rng.random(15) < 0.1)
        c = bayes_count_share(
            int(labelled.sum()), 15, binary_counts(v_pred, v_truth), (0.4, 5.0), random_state=rep
        )
        covered.append(c.ci_low <= truth.mean() <= c.ci_high)
        errors.append(abs(c.share - truth.mean()))
        raw.append(abs(labelled.mean() - truth.mean()))
    assert np.mean(covered) >= 0.9
    assert np.mean(errors) < np.mean(raw)  # when its assumptions hold, it beats the raw count


def test_candidates_refuse_impossible_input():
    with pytest.raises(InvalidParameterError):
        pcc_share(1.0, 1.0, 0)
    with pytest.raises(InvalidParameterError):
        ScoreValidation(0, 0.0, 0.0, 3, 1.0, 0.5).moments(True)
