"""Corrected columns beside raw ones in comparison tables, and tests of corrected differences."""

import pytest

from comparison import compare_outlets
from comparison.corrected_tables import CorrectionSettings, ValidationFigures, correct_tables
from comparison.correction import BinaryValidation, StanceValidation
from tests.comparison.test_compare import FRAMES, make

FIGURES = ValidationFigures(
    frames={
        "military": BinaryValidation(tp=40, fp=10, fn=10, tn=40),
        "humanitarian": BinaryValidation(tp=45, fp=2, fn=5, tn=48),
        "economic": BinaryValidation(tp=5, fp=5, fn=5, tn=5),  # no better than chance: not corrected
    },
    stance=StanceValidation(("favor", "against", "neutral"), ((8, 1, 1), (1, 8, 1), (1, 1, 8))),
    model_version="v1",
)


@pytest.fixture
def result():
    records = make("a", 30, {"military": 20, "humanitarian": 3}) + make(
        "b", 30, {"military": 4, "humanitarian": 2}
    )
    return compare_outlets(records, FRAMES, vocabulary=False, n_resamples=199)


def test_prevalence_rows_carry_raw_and_corrected_side_by_side(result):
    tables = correct_tables(result.tables(), CorrectionSettings(FIGURES, n_draws=2000))
    row = next(r for r in tables["prevalence"] if r["outlet"] == "a" and r["frame"] == "military")
    assert row["share"] == pytest.approx(20 / 30)
    assert row["share_corrected"] == pytest.approx((20 / 30 - 0.2) / (0.8 - 0.2))  # Rogan-Gladen
    assert row["ci_low_corrected"] < row["share_corrected"] < row["ci_high_corrected"]
    assert row["correction_method"].startswith("rogan-gladen")
    # the raw table is left as it was
    assert "share_corrected" not in result.tables()["prevalence"][0]
    chance = next(r for r in tables["prevalence"] if r["frame"] == "economic")
    assert chance["share_corrected"] is None and chance["correction_method"].startswith("not corrected")


def test_stance_rows_are_corrected_per_outlet_and_sum_to_one(result):
    tables = correct_tables(result.tables(), CorrectionSettings(FIGURES, n_draws=500))
    a = [r for r in tables["stance"] if r["outlet"] == "a"]
    assert sum(r["share_corrected"] for r in a) == pytest.approx(1.0)


def test_corrected_differences_are_tested_with_benjamini_hochberg(result):
    tables = correct_tables(result.tables(), CorrectionSettings(FIGURES, n_draws=2000))
    tests = {r["frame"]: r for r in tables["corrected_frame_tests"]}
    assert set(tests) == {"military", "humanitarian"}  # the uncorrectable frame is not tested
    assert tests["military"]["pvalue"] < 0.01 and tests["military"]["difference_corrected"] > 0.5
    assert tests["humanitarian"]["pvalue_adjusted"] > 0.05
    assert all(r["correction_method"] == "fdr_bh" for r in tests.values())


def test_same_settings_give_identical_numbers(result):
    settings = CorrectionSettings(FIGURES, n_draws=500, random_state=3)
    assert correct_tables(result.tables(), settings) == correct_tables(result.tables(), settings)


def test_figures_round_trip_through_json():
    assert ValidationFigures.from_dict(FIGURES.to_dict()) == FIGURES


def test_too_many_units_skip_the_pairwise_corrected_tests_with_a_warning():
    records = [r for i in range(45) for r in make(f"o{i:02d}", 2, {"military": i % 2})]
    result = compare_outlets(records, FRAMES, vocabulary=False, n_resamples=99, min_articles=1)
    tables = correct_tables(result.tables(), CorrectionSettings(FIGURES, n_draws=200))
    assert tables["corrected_frame_tests"] == []
    assert any(w["code"] == "corrected_tests_skipped" for w in tables["warnings"])
