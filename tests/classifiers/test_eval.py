"""Real-article evaluation (../shared/eval, read in place); skipped when the set is absent."""

import pytest

from classifiers.evaluate import evaluate
from classifiers.scoring import EVAL_DIR

pytestmark = pytest.mark.skipif(not (EVAL_DIR / "labels.jsonl").is_file(), reason="no ../shared/eval")


def test_model_beats_the_dictionary_baseline_on_real_articles(model):
    res = evaluate(EVAL_DIR, out_dir=None, model=model)
    assert not res["model"]["missing"]
    assert res["model"]["frame_macro_f1"] > res["dictionary"]["frame_macro_f1"]
    assert res["model"]["frame_micro_f1"] > res["dictionary"]["frame_micro_f1"]
    assert res["model"]["stance_macro_f1"] > 0.5  # "always neutral" scores 0.27
