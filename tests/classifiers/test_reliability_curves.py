"""Calibration: reliability bins, and ``present`` agreeing with ``score`` and the frame's threshold."""

import numpy as np
import pytest

from classifiers.reliability_curves import card_section, reliability_bins

SAMPLES = [
    (
        "Allies pledge air defence",
        "Germany pledged new air-defence systems for Ukraine. Deliveries begin soon.",
    ),
    (
        "Shelling hits Kharkiv",
        "Russian shelling hit apartment blocks in Kharkiv overnight. Three civilians died.",
    ),
    (
        "Talks in Istanbul",
        "Delegations met in Istanbul to discuss a ceasefire. Mediators said progress was slow.",
    ),
    ("Budget strain", "The war effort has pushed defence spending to record levels, straining the budget."),
]


def test_bins_report_mean_predicted_and_observed_frequency():
    bins = reliability_bins([0.05, 0.1, 0.9, 0.95, 0.5], [False, True, True, True, False], n_bins=5)
    assert [b["n"] for b in bins] == [2, 0, 1, 0, 2]
    assert bins[0]["mean_predicted"] == pytest.approx(0.075) and bins[0]["observed"] == 0.5
    assert bins[1]["mean_predicted"] is None and bins[4]["observed"] == 1.0


def test_card_section_has_one_row_per_frame_and_stance_label():
    curve = {"brier": 0.1, "bins": reliability_bins([0.1, 0.9], [False, True], 2)}
    curves = {
        "frames": {"a": curve, "b": curve},
        "stance": {"favor": curve},
        "n_articles": 2,
        "n_stance_articles": 2,
    }
    rows = [line for line in card_section(curves) if line.startswith("| a ") or line.startswith("| stance: ")]
    assert len(rows) == 2 and "0.10 → 0.00 (n=1)" in rows[0]


def test_present_iff_score_reaches_the_frames_threshold(model):
    """The served decision is the calibrated score against the threshold, for every frame."""
    for result in model.classify_many([(t, x, None) for t, x in SAMPLES]):
        for j, frame in enumerate(result.frames):
            assert frame.present == (frame.score >= model.thresholds_[j]), frame.key
            assert 0.0 <= frame.score <= 1.0
    assert np.all((model.thresholds_ > 0) & (model.thresholds_ < 1))
