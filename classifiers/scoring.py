"""The evaluation set's scoring convention (same arithmetic as ../shared/eval/score.py).

Frame macro-F1 over frames with at least 3 positive gold articles, micro-F1 over all
frames, stance macro-F1 over favor/against/neutral (gold null skipped), dominant accuracy.
The frames and stance labels are the codebook's, passed in by the caller.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from classifiers.codebook import STANCE_LABELS

EVAL_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "eval"


def f1_from_counts(tp: int, fp: int, fn: int) -> float:
    """F1 from confusion counts, 0 when there is no true positive (score.py's convention)."""
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def score(
    predictions: Sequence[Mapping],
    gold: Sequence[Mapping],
    frames: Sequence[str],
    stance_labels: Sequence[str] = STANCE_LABELS,
) -> dict:
    """Score predictions ``{"id", "frames", "dominant", "stance"}`` against gold labels.

    ``frames`` are the codebook's frame keys (``Codebook.frame_keys``), in the order of the table.
    """
    pred = {p["id"]: p for p in predictions}
    empty: dict = {"frames": [], "dominant": None, "stance": None}
    rows, used, big_tp, big_fp, big_fn = [], [], 0, 0, 0
    for fr in frames:
        tp = fp = fn = 0
        for g in gold:
            y, yh = fr in g["frames"], fr in pred.get(g["id"], empty).get("frames", [])
            tp += y and yh
            fp += (not y) and yh
            fn += y and not yh
        big_tp, big_fp, big_fn = big_tp + tp, big_fp + fp, big_fn + fn
        n_pos = sum(fr in g["frames"] for g in gold)
        f1 = f1_from_counts(tp, fp, fn)
        rows.append({"frame": fr, "positives": n_pos, "tp": tp, "fp": fp, "fn": fn, "f1": f1})
        if n_pos >= 3:
            used.append(f1)
    pairs = [(g["stance"], pred.get(g["id"], empty).get("stance")) for g in gold if g.get("stance")]
    stance = {
        c: f1_from_counts(
            sum(y == c and p == c for y, p in pairs),
            sum(y != c and p == c for y, p in pairs),
            sum(y == c and p != c for y, p in pairs),
        )
        for c in stance_labels
    }
    dom = [g for g in gold if g.get("dominant")]
    acc = sum(pred.get(g["id"], empty).get("dominant") == g["dominant"] for g in dom) / max(1, len(dom))
    return {
        "frames": rows,
        "frame_macro_f1": sum(used) / len(used),
        "n_frames_used": len(used),
        "frame_micro_f1": f1_from_counts(big_tp, big_fp, big_fn),
        "stance": stance,
        "stance_macro_f1": sum(stance.values()) / len(stance),
        "n_stance": len(pairs),
        "dominant_accuracy": acc,
        "n_dominant": len(dom),
        "missing": [g["id"] for g in gold if g["id"] not in pred],
    }


def format_table(result: Mapping) -> str:
    """The same table score.py prints."""
    lines = [
        f"{r['frame']:24s} positives={r['positives']:3d} tp={r['tp']:3d} fp={r['fp']:3d} fn={r['fn']:3d} "
        f"F1={r['f1']:.3f}"
        for r in result["frames"]
    ]
    s = result["stance"]
    lines.append(
        f"frame macro-F1 {result['frame_macro_f1']:.3f} over {result['n_frames_used']} frames; "
        f"micro-F1 {result['frame_micro_f1']:.3f}"
    )
    lines.append(
        f"stance macro-F1 {result['stance_macro_f1']:.3f} ("
        + ", ".join(f"{c} {f1:.3f}" for c, f1 in s.items())
        + f"; n={result['n_stance']})"
    )
    lines.append(f"dominant-frame accuracy {result['dominant_accuracy']:.3f} (n={result['n_dominant']})")
    if result["missing"]:
        lines.append(f"no prediction for {len(result['missing'])} articles")
    return "\n".join(lines)
