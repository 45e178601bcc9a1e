"""The evaluation set's scoring convention, on the codebook's frames."""

import pytest

from classifiers.scoring import format_table, score

GOLD = [
    {"id": "a", "frames": ["x", "y"], "dominant": "x", "stance": "favor"},
    {"id": "b", "frames": ["x"], "dominant": "x", "stance": "neutral"},
    {"id": "c", "frames": ["x", "y"], "dominant": "y", "stance": "against"},
    {"id": "d", "frames": ["y"], "dominant": None, "stance": None},
]
PRED = [
    {"id": "a", "frames": ["x"], "dominant": "x", "stance": "favor"},
    {"id": "b", "frames": ["x", "y"], "dominant": "x", "stance": "neutral"},
    {"id": "c", "frames": ["x", "y"], "dominant": "x", "stance": "neutral"},
]


def test_frames_are_the_ones_passed_in():
    res = score(PRED, GOLD, frames=("x", "y", "z"))
    assert [r["frame"] for r in res["frames"]] == ["x", "y", "z"]
    x, y, z = res["frames"]
    assert (x["tp"], x["fp"], x["fn"], x["f1"]) == (3, 0, 0, 1.0)
    assert (y["tp"], y["fp"], y["fn"]) == (1, 1, 2) and y["f1"] == pytest.approx(0.4)
    assert res["n_frames_used"] == 2 and res["frame_macro_f1"] == pytest.approx(0.7)
    assert z["positives"] == 0 and res["missing"] == ["d"]


def test_stance_and_dominant():
    res = score(PRED, GOLD, frames=("x", "y"))
    assert res["stance"] == {"favor": 1.0, "against": 0.0, "neutral": pytest.approx(2 / 3)}
    assert res["stance_macro_f1"] == pytest.approx(5 / 9) and res["n_stance"] == 3
    assert res["dominant_accuracy"] == pytest.approx(2 / 3)
    assert "stance macro-F1 0.556 (favor 1.000, against 0.000, neutral 0.667; n=3)" in format_table(res)
