"""The attribution-discount sweep table printed in the model card."""

from classifiers.params import DEFAULT_PARAMS
from classifiers.stance_study import DISCOUNTS, format_rows


def _row(d, with_eval):
    per = {"favor": 0.5, "against": 0.25, "neutral": 1.0}
    row = {"discount": d, "cv_macro": 0.5833, "cv": per}
    if with_eval:
        row.update(eval_macro=0.4, eval=per, eval_frame_macro=0.75)
    return row


def test_table_has_one_row_per_discount_and_eval_columns_only_when_scored():
    lines = format_rows([_row(d, True) for d in DISCOUNTS])
    assert len(lines) == 2 + len(DISCOUNTS)
    assert "eval stance" in lines[0] and lines[2].startswith("| 0.0 | 0.583 (0.50 / 0.25 / 1.00) | 0.400")
    lines = format_rows([_row(0.3, False)])
    assert "eval" not in lines[0] and lines[2].count("|") == 3


def test_default_discount_is_one_of_the_swept_values():
    assert DEFAULT_PARAMS["attribution_discount"] in DISCOUNTS
