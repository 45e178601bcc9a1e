"""Public-dataset figures: shipped for the served model, reproducible, and shown in the model card."""

import json
import warnings
from numbers import Number
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from classifiers.corpus import load_corpus
from classifiers.evaluate import fit_dictionary
from classifiers.public_card import public_section, tally
from classifiers.public_datasets import available, side_label
from classifiers.public_eval import FIGURES_PATH, dataset_figures
from classifiers.public_metrics import binary_figure, macro_f1, paired_difference
from classifiers.validation import served_version
from tests.figures import assert_figures_match

CARD = Path(__file__).resolve().parents[2] / "docs" / "model-card.md"


TEXT_FIELDS = {
    "model_version",
    "codebook_hash",
    "command",
    "method",
    "unit",
    "left_out",
    "frame",
    "source",
    "fit",
    "blas_kernels",
}
TEXT_FIELDS |= {"directions", "fnc1", "newsmtsc", "basil", "fignews2024", "babe", "biased_sents_lim2020"}


def _leaves(x, key=None):
    if isinstance(x, dict):
        for k, v in x.items():
            yield from _leaves(v, k)
    elif isinstance(x, list):
        for v in x:
            yield from _leaves(v, key)
    else:
        yield key, x


def test_shipped_figures_describe_the_served_model(codebook):
    """Whoever changes the model must regenerate them: `python -m classifiers.public_eval`."""
    shipped = json.loads(FIGURES_PATH.read_text())
    assert shipped["model_version"] == served_version(codebook), "run: python -m classifiers.public_eval"
    assert shipped["codebook_hash"] == codebook.hash
    assert {"frac", "gvfc", "narrative_frames_climate", "ukraine_news_bias"} <= set(shipped["datasets"])
    for d in shipped["datasets"].values():
        for row in d.get("rows", []):
            for what, diff in row["difference"].items():  # the difference is the two systems' figures apart
                assert diff["low"] <= diff["estimate"] <= diff["high"]
                assert diff["estimate"] == pytest.approx(
                    row["model"][what] - row["dictionary"][what], abs=2e-4
                )
    # figures only: text sits in our own descriptive fields, never where a figure belongs
    assert all(isinstance(v, Number) or key in TEXT_FIELDS for key, v in _leaves(shipped))


def test_the_model_card_shows_the_shipped_figures(codebook):
    shipped = json.loads(FIGURES_PATH.read_text())
    section = public_section(shipped, served_version(codebook))
    card = CARD.read_text()
    assert section[0] in card and section[0] == "## Public datasets (not written by us)"
    missing = [line for line in section if line and line not in card]
    assert not missing, "regenerate the card: python -m classifiers.model_card"


def test_a_stale_figure_file_is_flagged_in_the_section():
    shipped = json.loads(FIGURES_PATH.read_text())
    lines = public_section(shipped, "conflict-sparse-000000000000")
    assert any("not for `conflict-sparse-000000000000`" in line for line in lines)


@pytest.mark.skipif(not available(), reason="no ../shared/datasets")
def test_the_command_reproduces_the_shipped_frac_figures(model, codebook):
    shipped = json.loads(FIGURES_PATH.read_text())
    if shipped["model_version"] != model.version:
        pytest.skip("shipped figures are for another model version (see the test above)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = fit_dictionary(codebook, load_corpus(codebook))
    figures = dataset_figures("frac", model, base)
    # another kernel: measured at most 0.012 apart (Haswell vs SkylakeX), counts equal
    near = lambda _, now, then: now == pytest.approx(then, abs=0.025, nan_ok=True)  # noqa: E731
    assert_figures_match(figures, shipped["datasets"]["frac"], shipped, model, near)


def test_auc_matches_scikit_learn_with_ties_and_per_resample():
    rng = np.random.default_rng(1)
    y = rng.random(200) < 0.3
    s = rng.integers(0, 4, 200).astype(float) + y  # ties, and some signal
    assert binary_figure("auc", y, y, s) == pytest.approx(roc_auc_score(y, s))
    idx = rng.integers(0, 200, (5, 200))
    stacked = binary_figure("auc", y[idx], y[idx], s[idx])
    assert stacked == pytest.approx([roc_auc_score(y[i], s[i]) for i in idx])
    assert np.isnan(binary_figure("auc", np.zeros(5, bool), np.zeros(5, bool), np.arange(5.0)))


def test_precision_recall_and_fpr_count_as_expected():
    y = np.array([1, 1, 0, 0, 0], bool)
    p = np.array([1, 0, 1, 0, 0], bool)
    s = np.zeros(5)
    assert binary_figure("precision", y, p, s) == 0.5
    assert binary_figure("recall", y, p, s) == 0.5
    assert binary_figure("fpr", y, p, s) == pytest.approx(1 / 3)
    assert binary_figure("precision", y, np.zeros(5, bool), s) == 0.0  # never says yes
    with pytest.raises(ValueError, match="auc"):
        binary_figure("accuracy", y, p, s)


def test_macro_f1_counts_a_missing_label_as_wrong():
    gold = np.array([0, 1, 2, 2])
    assert macro_f1(gold, gold, 3) == 1.0
    assert macro_f1(gold, np.array([0, 1, 2, -1]), 3) == pytest.approx((1 + 1 + 2 / 3) / 3)


def test_the_paired_interval_separates_a_real_difference_from_noise():
    rng = np.random.default_rng(0)
    y = rng.random(300) < 0.4
    good = y ^ (rng.random(300) < 0.1)
    coin = rng.random(300) < 0.4
    preds = {"model": good, "dictionary": coin}

    def f1(i, sys):
        return binary_figure("f1", y[i], preds[sys][i], np.zeros(i.shape))

    real = paired_difference(f1, 300, n_resamples=500, random_state=3)
    assert real["low"] > 0.3
    assert real == paired_difference(f1, 300, n_resamples=500, random_state=3)  # seeded
    preds["dictionary"] = good
    assert paired_difference(f1, 300, n_resamples=500, random_state=3) == {"estimate": 0, "low": 0, "high": 0}


@pytest.mark.parametrize(
    ("pro_russia", "pro_west", "label"),
    [
        (0.0, 0.0, "neutral"),
        (0.3, 0.1, "neutral"),
        (0.8, 0.0, "against"),
        (0.65, 0.35, "against"),
        (0.1, 0.9, "favor"),
        (1.0, 1.0, None),
    ],
)
def test_side_labels_from_the_crowd_shares(pro_russia, pro_west, label):
    assert side_label(pro_russia, pro_west) == label


def test_the_tally_reads_a_lower_false_positive_rate_as_a_win():
    def d(low, high):
        return {"estimate": (low + high) / 2, "low": low, "high": high}

    figures = {
        "x": {
            "rows": [{"difference": {"f1": d(0.1, 0.2), "fpr": d(-0.2, -0.1), "auc": d(-0.1, 0.1)}}],
            "war_only_rate": {"difference": d(0.05, 0.1)},
        }
    }
    assert tally(figures) == {"model": 2, "dictionary": 1, "neither": 1}
