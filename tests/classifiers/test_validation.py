"""Shipped validation figures: numbers only, and for the model the service serves."""

import json

import pytest

from classifiers.codebook import STANCE_LABELS
from classifiers.scoring import EVAL_DIR
from classifiers.validation import error_counts, served_version, validation_figures, validation_path
from tests.figures import assert_figures_match


def test_shipped_figures_describe_the_served_model(codebook):
    """Whoever changes the model must regenerate them: `python -m classifiers.validation`."""
    shipped = json.loads(validation_path().read_text())
    assert shipped["model_version"] == served_version(codebook), "run: python -m classifiers.validation"
    assert shipped["codebook_hash"] == codebook.hash
    assert set(shipped["frames"]) == set(codebook.frame_keys)
    assert shipped["stance"]["labels"] == list(STANCE_LABELS)
    for counts in shipped["frames"].values():  # numbers only, adding up to the sample
        assert set(counts) == {"tp", "fp", "fn", "tn"}
        assert sum(counts.values()) == shipped["n_articles"]
    assert sum(unit["n"] for unit in shipped["units"]) == shipped["n_articles"]
    for f, counts in shipped["frames"].items():  # the units split the same labels
        assert sum(unit["coded"][f] for unit in shipped["units"]) == counts["tp"] + counts["fn"]
        assert sum(unit["labelled"][f] for unit in shipped["units"]) == counts["tp"] + counts["fp"]
        assert shipped["scores"][f]["n_positive"] == counts["tp"] + counts["fn"]


def test_error_counts_pair_predictions_with_the_coders():
    predicted = [
        {"frames": ["a"], "stance": "favor"},
        {"frames": [], "stance": None},
        {"frames": ["a"], "stance": "neutral"},
    ]
    gold = [
        {"frames": ["a"], "stance": "favor"},
        {"frames": ["a"], "stance": "against"},
        {"frames": [], "stance": "neutral"},
    ]
    counts = error_counts(predicted, gold, ["a"])
    assert counts["frames"]["a"] == {"tp": 1, "fp": 1, "fn": 1, "tn": 0}
    assert counts["stance"]["counts"] == [[1, 0, 0], [0, 0, 0], [0, 0, 1]]  # the unlabelled pair is skipped


@pytest.mark.skipif(not (EVAL_DIR / "labels.jsonl").is_file(), reason="no ../shared/eval")
def test_the_command_reproduces_the_shipped_figures(model):
    shipped = json.loads(validation_path().read_text())
    if shipped["model_version"] != model.version:
        pytest.skip("shipped figures are for another model version (see the test above)")
    fresh = validation_figures(model)
    keys = ("frames", "stance", "n_articles", "units", "scores")
    # another kernel: counts equal, score sums within 0.01 per article (measured 0.0036, Haswell
    # vs SkylakeX); the sums' article counts are the n_positive / n_negative beside them
    sides = ("positive", "negative")
    sizes = {f"{f}.{side}": v[f"n_{side}"] for f, v in shipped["scores"].items() for side in sides}

    def close(path: str, now: float, then: float) -> bool:
        frame, figure = path.split(".")[-2:]
        n = sizes.get(f"{frame}.{figure.split('_')[-1]}", 1)
        return abs(now - then) <= 0.01 * max(n, 1)

    assert_figures_match({k: fresh[k] for k in keys}, {k: shipped[k] for k in keys}, shipped, model, close)
