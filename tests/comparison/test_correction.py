"""Error-corrected prevalence: simulations with a known confusion matrix (unbiased, nominal coverage)."""

from __future__ import annotations

import numpy as np
import pytest

from comparison.correction import (
    BinaryValidation,
    CorrectionError,
    StanceValidation,
    binary_counts,
    confusion_counts,
    correct_distribution,
    correct_share,
    invert_confusion,
    project_simplex,
    rogan_gladen,
)

TPR, FPR, TRUE_P = 0.7, 0.2, 0.3
N_REPS = 300


def _simulate_binary(rng: np.random.Generator, n: int, n_validation: int) -> tuple[int, BinaryValidation]:
    """Label n articles (true share TRUE_P) and a validation sample (base rate 0.4) with TPR/FPR."""
    truth = rng.random(n) < TRUE_P
    predicted = np.where(truth, rng.random(n) < TPR, rng.random(n) < FPR)
    v_truth = rng.random(n_validation) < 0.4
    v_pred = np.where(v_truth, rng.random(n_validation) < TPR, rng.random(n_validation) < FPR)
    return int(predicted.sum()), binary_counts(v_pred, v_truth)


def test_rogan_gladen_inverts_the_expected_labelled_share():
    q = TRUE_P * TPR + (1 - TRUE_P) * FPR
    assert rogan_gladen(q, TPR, FPR) == pytest.approx(TRUE_P)
    assert rogan_gladen(0.0, TPR, FPR) == 0.0  # clipped, never negative
    assert rogan_gladen(1.0, TPR, FPR) == 1.0


def test_corrected_share_is_unbiased_and_its_interval_reaches_nominal_coverage():
    rng = np.random.default_rng(12)
    raw, corrected, covered = [], [], []
    for rep in range(N_REPS):
        count, validation = _simulate_binary(rng, 300, 400)
        result = correct_share(count, 300, validation, n_draws=1000, random_state=rep)
        raw.append(count / 300)
        corrected.append(result.share)
        covered.append(result.ci_low <= TRUE_P <= result.ci_high)
    assert np.mean(raw) == pytest.approx(TRUE_P * TPR + (1 - TRUE_P) * FPR, abs=0.01)  # raw is biased
    assert abs(np.mean(raw) - TRUE_P) > 0.04
    assert np.mean(corrected) == pytest.approx(TRUE_P, abs=0.01)
    assert 0.91 <= np.mean(covered) <= 0.99


def test_small_outlets_keep_coverage_where_a_bootstrap_would_collapse():
    """Five articles per outlet, a small validation sample: intervals still cover ~nominally."""
    rng = np.random.default_rng(5)
    covered = []
    for rep in range(N_REPS):
        truth = rng.random(5) < TRUE_P
        count = int(np.where(truth, rng.random(5) < TPR, rng.random(5) < FPR).sum())
        _, validation = _simulate_binary(rng, 1, 100)
        result = correct_share(count, 5, validation, n_draws=1000, random_state=rep)
        covered.append(result.ci_low <= truth.mean() <= result.ci_high)
    assert np.mean(covered) >= 0.9


def test_stance_inversion_is_unbiased_with_nominal_coverage():
    labels = ("favor", "against", "neutral")
    true_p = np.array([0.2, 0.3, 0.5])
    m = np.array([[0.7, 0.1, 0.2], [0.1, 0.7, 0.2], [0.15, 0.15, 0.7]])
    rng = np.random.default_rng(3)
    estimates, covered = [], []
    for rep in range(200):
        truth = rng.choice(3, 400, p=true_p)
        predicted = np.array([rng.choice(3, p=m[t]) for t in truth])
        v_truth = rng.choice(3, 300, p=[1 / 3] * 3)
        v_pred = np.array([rng.choice(3, p=m[t]) for t in v_truth])
        validation = confusion_counts([labels[i] for i in v_pred], [labels[i] for i in v_truth], labels)
        counts = {lab: int((predicted == i).sum()) for i, lab in enumerate(labels)}
        result = correct_distribution(counts, validation, n_draws=1000, random_state=rep)
        estimates.append([result[lab].share for lab in labels])
        covered.append(
            [result[lab].ci_low <= p <= result[lab].ci_high for lab, p in zip(labels, true_p, strict=True)]
        )
    assert np.mean(estimates, axis=0) == pytest.approx(true_p, abs=0.015)
    assert 0.9 <= np.mean(covered) <= 0.99


def test_results_are_reproducible_and_seeded_per_key():
    v = BinaryValidation(tp=40, fp=10, fn=10, tn=40)
    a = correct_share(3, 10, v, random_state=7, key="outlet-a")
    assert correct_share(3, 10, v, random_state=7, key="outlet-a") == a
    assert correct_share(3, 10, v, random_state=7, key="outlet-b").ci_high != a.ci_high


def test_figures_that_cannot_identify_a_correction_are_refused():
    with pytest.raises(CorrectionError, match="no article with this frame"):
        correct_share(1, 5, BinaryValidation(tp=0, fp=3, fn=0, tn=20))
    with pytest.raises(CorrectionError, match="does not separate"):
        correct_share(1, 5, BinaryValidation(tp=5, fp=5, fn=5, tn=5))
    with pytest.raises(CorrectionError, match="true stance"):
        correct_distribution({"favor": 2}, StanceValidation(("favor", "against"), ((3, 1), (0, 0))))


def test_simplex_projection_and_inversion():
    assert project_simplex(np.array([0.5, 0.7, -0.2]))[0] == pytest.approx([0.4, 0.6, 0.0])
    m = np.array([[0.8, 0.2], [0.1, 0.9]])
    p = np.array([0.25, 0.75])
    assert invert_confusion(m.T @ p, m) == pytest.approx(p)


def test_a_labelled_share_above_the_validation_tpr_is_flagged():
    low_recall = BinaryValidation(tp=3, fp=6, fn=10, tn=90)
    result = correct_share(4, 5, low_recall)
    assert result.share == 1.0 and "clipped at 1" in result.method
    assert "clipped" not in correct_share(1, 5, low_recall).method
