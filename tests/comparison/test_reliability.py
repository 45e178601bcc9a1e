"""Krippendorff's alpha against hand-computed values and the ``krippendorff`` package; the report."""

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import precision_recall_fscore_support

from comparison import InvalidParameterError, NotEnoughDataError
from comparison.reliability import _alphas, _unit_coincidences, agreement, nominal_alpha
from comparison.reliability_report import CodedArticle, consensus, reliability_report, score_model

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", nominal example: alpha = 0.743.
K2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def codes_of(matrix):
    return {f"c{i}": dict(enumerate(row)) for i, row in enumerate(matrix)}


def test_hand_computed_binary_example():
    """Two coders, ten units, two disagreements: o_00 = 14, o_01 = o_10 = 2, o_11 = 2; n_0 = 16,
    n_1 = 4, n = 20; alpha = 1 - (n - 1) * 4 / (2 * 16 * 4) = 1 - 76/128 = 0.40625."""
    a = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    b = [0, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    result = agreement(codes_of([a, b]), variable="frame", category="x")
    assert result.alpha == pytest.approx(0.40625)
    assert result.percent_agreement == pytest.approx(0.8)
    assert (result.n_units, result.n_values) == (10, 20)
    assert result.flag == "unacceptable"


def test_krippendorff_2011_example():
    result = agreement(codes_of(K2011), variable="x")
    assert result.alpha == pytest.approx(0.743, abs=0.001)
    assert (result.n_units, result.n_values) == (11, 40)  # unit 12 has one value: not pairable
    assert result.flag == "tentative"


@pytest.mark.parametrize("seed", range(12))
def test_same_alpha_as_the_krippendorff_package(seed):
    rng = np.random.default_rng(seed)
    n_coders, n_units, n_labels = rng.integers(2, 5), rng.integers(5, 60), rng.integers(2, 5)
    truth = rng.integers(0, n_labels, n_units)
    data = np.where(
        rng.random((n_coders, n_units)) < 0.7, truth, rng.integers(0, n_labels, (n_coders, n_units))
    )
    data = data.astype(float)
    data[rng.random(data.shape) < 0.15] = np.nan
    matrix = [[None if np.isnan(v) else int(v) for v in row] for row in data]
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert agreement(codes_of(matrix), variable="x", n_resamples=0).alpha == pytest.approx(expected, abs=1e-9)
    blocks, _ = _unit_coincidences(matrix)  # the bootstrap's own formula agrees too
    n_values = int(round(np.sqrt(blocks.shape[1])))
    assert _alphas(blocks.sum(axis=0, keepdims=True), n_values)[0] == pytest.approx(expected, abs=1e-9)


def test_labels_may_be_any_hashable_value():
    words = [
        ["yes" if v == 1 else "no" if v == 0 else None for v in row] for row in ([1, 1, 0, 0], [1, 0, 0, 0])
    ]
    assert nominal_alpha(words) == pytest.approx(nominal_alpha([[1, 1, 0, 0], [1, 0, 0, 0]]))


def test_bootstrap_interval_is_seeded_and_brackets_alpha():
    first = agreement(codes_of(K2011), variable="x", n_resamples=500, random_state=7)
    again = agreement(codes_of(K2011), variable="x", n_resamples=500, random_state=7)
    assert first.confidence_interval() == again.confidence_interval()
    low, high = first.confidence_interval()
    assert low < first.alpha <= high <= 1
    narrow = first.confidence_interval(0.5)
    assert low <= narrow.low <= narrow.high <= high
    assert 0 < first.row()["n_resamples"] <= 500
    assert agreement(codes_of(K2011), variable="x", n_resamples=0).confidence_interval() is None
    with pytest.raises(InvalidParameterError):
        agreement(codes_of(K2011), variable="x", n_resamples=-1)


def test_no_variation_and_no_pairs_give_no_alpha_but_say_why():
    same = agreement(codes_of([[1, 1, 1], [1, 1, 1]]), variable="x")
    assert same.alpha is None and same.percent_agreement == 1.0 and "no variation" in same.note
    assert same.flag is None and same.row()["ci_low"] is None
    apart = agreement({"a": {1: "x"}, "b": {2: "y"}}, variable="x")
    assert apart.alpha is None and apart.n_units == 0


def test_consensus_is_the_majority_and_ties_are_left_out():
    codes = {"a": {1: "x", 2: "x", 3: "x", 4: "y"}, "b": {1: "x", 2: "y", 3: "y"}, "c": {1: "y", 2: "x"}}
    agreed, n_ties = consensus(codes)
    assert agreed == {1: "x", 2: "x"} and n_ties == 1  # unit 3 ties 1:1; unit 4 has one coder


def test_model_scores_match_scikit_learn():
    reference = dict(enumerate([1, 1, 0, 0, 1, 0, 1, 0]))
    predicted = dict(enumerate([1, 0, 0, 1, 1, 0, 1, 1]))
    p, r, f1, accuracy, n = score_model(reference, predicted, positive=1)
    expected = precision_recall_fscore_support(
        list(reference.values()), list(predicted.values()), average="binary"
    )
    assert (p, r, f1) == pytest.approx(expected[:3]) and accuracy == 5 / 8 and n == 8
    ref = dict(enumerate(["favor", "against", "neutral", "neutral", "favor"]))
    pred = dict(enumerate(["favor", "neutral", "neutral", "neutral", "against"]))
    p, r, f1, _, _ = score_model(ref, pred)
    macro = precision_recall_fscore_support(
        list(ref.values()), list(pred.values()), average="macro", zero_division=0
    )
    assert (p, r, f1) == pytest.approx(macro[:3])


def test_report_per_frame_dominant_and_stance_with_a_model():
    frames = ("war", "money")
    alice = {
        1: CodedArticle(frozenset({"war"}), "war", "favor"),
        2: CodedArticle(frozenset({"money"}), "money", None),
        3: CodedArticle(frozenset({"war", "money"}), "war", "against"),
        4: CodedArticle(frozenset(), None, None),
    }
    bob = {**alice, 3: CodedArticle(frozenset({"war"}), "war", "against")}
    model = {u: CodedArticle(frozenset({"war"}), "war", "favor") for u in alice}
    result = reliability_report({"alice": alice, "bob": bob}, frames, model=("m1", model), n_resamples=200)
    rows = result.tables()["agreement"]
    assert [(r["variable"], r["category"], r["includes_model"]) for r in rows[:4]] == [
        ("frame", "war", False),
        ("frame", "money", False),
        ("dominant_frame", None, False),
        ("stance", None, False),
    ]
    war = rows[0]
    assert war["alpha"] == 1.0 and war["percent_agreement"] == 1.0 and war["flag"] == "acceptable"
    money = rows[1]
    expected = krippendorff.alpha(
        reliability_data=[[0, 1, 1, 0], [0, 1, 0, 0]], level_of_measurement="nominal"
    )
    assert money["alpha"] == pytest.approx(expected) and money["n_units"] == 4
    with_model = [r for r in rows if r["includes_model"]]
    assert len(with_model) == 4 and with_model[0]["coders"] == "alice,bob,m1"
    scores = {(s["variable"], s["category"], s["reference"]): s for s in result.tables()["model_scores"]}
    assert (
        scores[("frame", "money", "alice")]["recall"] == 0.0
        and scores[("frame", "money", "alice")]["precision"] is None
    )
    assert ("frame", "money", "consensus") not in scores or scores[("frame", "money", "consensus")][
        "n_units"
    ] == 3
    assert scores[("stance", None, "consensus")]["average"] == "macro"
    assert result.metadata()["consensus_ties"]["money"] == 1
    assert any(w["code"] == "unreliable" for w in result.tables()["warnings"])
    assert "Reliability of alice, bob" in str(result)


def test_report_needs_two_coders_with_shared_articles():
    one = {"a": {1: CodedArticle(frozenset())}}
    with pytest.raises(InvalidParameterError, match="two coders"):
        reliability_report(one, ("war",))
    apart = {"a": {1: CodedArticle(frozenset())}, "b": {2: CodedArticle(frozenset())}}
    with pytest.raises(NotEnoughDataError):
        reliability_report(apart, ("war",))
    result = reliability_report(
        one, ("war",), model=("m", {1: CodedArticle(frozenset({"war"}))}), n_resamples=0
    )
    assert result.agreement == () and len(result.model_agreement) == 3
