"""Unit-level calibration: simulations with known error rates (unbiased, nominal coverage) and its edges."""

from __future__ import annotations

import numpy as np
import pytest

from comparison import compare_outlets
from comparison.corrected_tables import CorrectionSettings, ValidationFigures, correct_tables
from comparison.correction import BinaryValidation, CorrectionError, binary_counts, correct_share
from comparison.unit_calibration import (
    ValidationUnit,
    calibrated_share,
    fit_unit_calibration,
    refit_draws,
)
from tests.comparison.test_compare import FRAMES, make

TPR, FPR = 0.7, 0.2
N_REPS = 70


def _rates(p: float, concentrated: bool) -> tuple[float, float]:
    """Constant rates, or errors concentrated where the frame is present (FPR rises with prevalence)."""
    return (0.6 + 0.3 * p, 0.02 + 0.5 * p) if concentrated else (TPR, FPR)


def _unit(rng: np.random.Generator, n: int, p: float, concentrated: bool) -> tuple[np.ndarray, np.ndarray]:
    truth = rng.random(n) < p
    tpr, fpr = _rates(p, concentrated)
    return truth, np.where(truth, rng.random(n) < tpr, rng.random(n) < fpr)


def _validation(rng: np.random.Generator, concentrated: bool = False) -> tuple[list, BinaryValidation]:
    """40 coded units of 5-80 articles, prevalences from Beta(2, 3), labelled with the given rates."""
    units, labels, truths = [], [], []
    for u in range(40):
        truth, labelled = _unit(rng, int(rng.integers(5, 80)), rng.beta(2, 3), concentrated)
        units.append(ValidationUnit(str(u), "f", len(truth), int(labelled.sum()), int(truth.sum())))
        labels += list(labelled)
        truths += list(truth)
    return units, binary_counts(labels, truths)


def _simulate(n: int, concentrated: bool, seed: int, p: float | None = None) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    out: dict[str, list] = {"bias": [], "raw_bias": [], "rg_bias": [], "covered": [], "width": []}
    for rep in range(N_REPS):
        units, counts = _validation(rng, concentrated)
        calibration = fit_unit_calibration(units, n_refits=25, random_state=rep)
        truth, labelled = _unit(rng, n, rng.beta(2, 3) if p is None else p, concentrated)
        share = truth.mean()
        c = calibrated_share(int(labelled.sum()), n, "f", calibration, n_draws=200, random_state=rep)
        rg = correct_share(int(labelled.sum()), n, counts, n_draws=200, random_state=rep)
        out["bias"].append(c.share - share)
        out["raw_bias"].append(labelled.mean() - share)
        out["rg_bias"].append(rg.share - share)
        out["covered"].append(c.ci_low <= share <= c.ci_high)
        out["width"].append(c.ci_high - c.ci_low)
    return {k: np.asarray(v) for k, v in out.items()}


def test_known_confusion_matrix_unbiased_with_at_least_nominal_coverage():
    sim = _simulate(300, concentrated=False, seed=1, p=0.3)
    assert sim["raw_bias"].mean() > 0.03  # raw counts are off by FPR - p (TPR + FPR)...
    assert abs(sim["bias"].mean()) < 0.02  # ... corrected ones are not (the prior pulls a little)
    assert sim["covered"].mean() >= 0.92
    assert sim["width"].mean() < 0.35  # not bought with an uninformative interval


def test_small_units_keep_coverage():
    sim = _simulate(5, concentrated=False, seed=2)
    assert sim["covered"].mean() >= 0.88


def test_errors_concentrated_where_the_frame_is_present_bias_rogan_gladen_not_the_calibration():
    """The real-data case: false positives mostly in units using the frame (constant rates fail)."""
    sim = _simulate(300, concentrated=True, seed=3, p=0.3)
    assert sim["rg_bias"].mean() < -0.03
    assert abs(sim["bias"].mean()) < 0.02
    assert sim["covered"].mean() >= 0.9


def test_perfect_validation_returns_the_labelled_share():
    units = [ValidationUnit(str(u), "f", 20, k, k) for u, k in enumerate((0, 3, 7, 12, 20, 15))]
    c = calibrated_share(9, 30, "f", fit_unit_calibration(units, n_refits=20))
    assert c.share == pytest.approx(9 / 30)
    assert c.ci_low <= 9 / 30 <= c.ci_high and c.ci_high - c.ci_low < 0.1


def test_too_few_units_or_no_spread_cannot_be_calibrated():
    with pytest.raises(CorrectionError, match="at least 3"):
        fit_unit_calibration([ValidationUnit("a", "f", 10, 3, 4), ValidationUnit("b", "f", 10, 5, 6)])
    same = [ValidationUnit(str(u), "f", 10, u, 5) for u in range(4)]
    with pytest.raises(CorrectionError, match="same coded share"):
        fit_unit_calibration(same)
    calibration = fit_unit_calibration(_validation(np.random.default_rng(0))[0], n_refits=10)
    with pytest.raises(CorrectionError, match="no figures for frame"):
        calibrated_share(1, 5, "other", calibration)


def test_large_units_are_evaluated_on_a_grid_and_rows_share_refits():
    calibration = fit_unit_calibration(_validation(np.random.default_rng(4))[0], n_refits=20)
    big = calibrated_share(6000, 20000, "f", calibration, n_draws=300)
    assert 0 <= big.ci_low <= big.share <= big.ci_high <= 1
    refits = refit_draws(calibration, 300, random_state=0)
    a = calibrated_share(10, 40, "f", calibration, refit_index=refits, key="a")
    again = calibrated_share(10, 40, "f", calibration, refit_index=refits, key="a")
    assert np.array_equal(a.draws, again.draws) and len(a.draws) == 300  # seeded, one draw per refit index


def test_tables_use_the_calibration_and_test_differences_on_it():
    rng = np.random.default_rng(6)
    units = [
        ValidationUnit(str(u), f, 30, *(lambda k: (min(30, k + int(rng.integers(0, 3))), k))(int(p * 30)))
        for u, p in enumerate(rng.beta(2, 3, 12))
        for f in ("military", "humanitarian")
    ]
    figures = ValidationFigures(
        frames={f: BinaryValidation(tp=40, fp=10, fn=10, tn=40) for f in ("military", "humanitarian")},
        units=tuple(units),
    )
    settings = CorrectionSettings(figures, n_draws=500, calibration=figures.calibration())
    records = make("a", 30, {"military": 20, "humanitarian": 3}) + make(
        "b", 30, {"military": 4, "humanitarian": 2}
    )
    tables = correct_tables(compare_outlets(records, FRAMES, vocabulary=False).tables(), settings)
    row = next(r for r in tables["prevalence"] if r["outlet"] == "a" and r["frame"] == "military")
    assert row["correction_method"].startswith("unit-level")
    assert row["ci_low_corrected"] <= row["share_corrected"] <= row["ci_high_corrected"]
    tests = {r["frame"]: r for r in tables["corrected_frame_tests"]}
    assert tests["military"]["pvalue"] < 0.01 and tests["military"]["difference_corrected"] > 0.3
