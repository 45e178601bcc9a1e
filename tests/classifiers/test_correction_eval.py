"""The correction measured on the test half of ../shared/eval (skipped when the set is absent)."""

import json
from pathlib import Path

import pytest

from classifiers.correction_eval import run
from classifiers.scoring import EVAL_DIR
from classifiers.validation import validation_path

pytestmark = pytest.mark.skipif(not (EVAL_DIR / "labels.jsonl").is_file(), reason="no ../shared/eval")
DOC = Path(__file__).resolve().parents[2] / "docs" / "prevalence-correction.md"


def test_corrected_intervals_cover_the_coders_share_on_unseen_events(model):
    if json.loads(validation_path().read_text())["model_version"] != model.version:
        pytest.skip("shipped validation figures are for another model version: regenerate them")
    report = run(model)
    frames = report["frames"]
    assert frames["n_cells"] == 8 * report["n_events"]
    assert frames["coverage_corrected"] >= 0.9  # the goal; raw Wilson intervals miss it
    assert frames["coverage_corrected"] > frames["coverage_raw_wilson"]
    doc = DOC.read_text()
    for key in (
        "mean_abs_error_raw",
        "mean_abs_error_corrected",
        "coverage_raw_wilson",
        "coverage_corrected",
    ):
        assert f"{frames[key]:.3f}" in doc, (
            f"docs/prevalence-correction.md is stale: {key} = {frames[key]:.3f}"
        )
