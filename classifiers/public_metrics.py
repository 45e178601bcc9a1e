"""Figures for the public-dataset checks, vectorised over bootstrap resamples (last axis = items).

Every function takes arrays whose last axis runs over items, so the same code gives the figure on
all items (1-d) and on a stack of resamples (2-d) in one call; ``paired_difference`` hands scipy's
bootstrap a statistic of that shape.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.stats import bootstrap, rankdata

BINARY_FIGURES = ("precision", "recall", "f1", "fpr", "auc")


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, 0 where den is 0 (a system that never says yes has precision 0, as in score.py)."""
    num, den = np.asarray(num, float), np.asarray(den, float)
    return np.divide(num, den, out=np.zeros(np.broadcast(num, den).shape), where=den > 0)


def binary_figure(what: str, y: np.ndarray, p: np.ndarray, s: np.ndarray) -> np.ndarray:
    """One of ``BINARY_FIGURES`` of predictions ``p`` (bool) and scores ``s`` against gold ``y`` (bool).

    Notes
    -----
    AUC is the Mann-Whitney U over midranks divided by n1 * n0, which equals the area under the
    ROC curve with ties counted half (``sklearn.metrics.roc_auc_score``); NaN when a class is empty.
    """
    tp = (y & p).sum(axis=-1)
    fp = (~y & p).sum(axis=-1)
    fn = (y & ~p).sum(axis=-1)
    if what == "precision":
        return _ratio(tp, tp + fp)
    if what == "recall":
        return _ratio(tp, tp + fn)
    if what == "f1":
        return _ratio(2 * tp, 2 * tp + fp + fn)
    if what == "fpr":
        return _ratio(fp, (~y).sum(axis=-1))
    if what == "auc":
        n1 = y.sum(axis=-1).astype(float)
        n0 = y.shape[-1] - n1
        u = (rankdata(s, axis=-1) * y).sum(axis=-1) - n1 * (n1 + 1) / 2
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where((n1 > 0) & (n0 > 0), u / (n1 * n0), np.nan)
    raise ValueError(f"unknown figure {what!r}; one of {', '.join(BINARY_FIGURES)}")


def class_f1(gold: np.ndarray, pred: np.ndarray, c: int) -> np.ndarray:
    """F1 of class ``c`` for integer-coded labels (a missing prediction is coded -1 and is wrong)."""
    return binary_figure("f1", gold == c, pred == c, np.zeros(gold.shape))


def macro_f1(gold: np.ndarray, pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Mean per-class F1 over classes ``0 .. n_classes - 1``."""
    return np.mean([class_f1(gold, pred, c) for c in range(n_classes)], axis=0)


def paired_difference(
    stat: Callable[[np.ndarray, str], np.ndarray],
    n: int,
    *,
    n_resamples: int = 1000,
    random_state: int = 0,
    confidence_level: float = 0.95,
) -> dict[str, float]:
    """``stat(idx, "model") - stat(idx, "dictionary")`` on all items, with a bootstrap interval.

    ``stat`` takes integer item indices (last axis) and a system name and returns the figure.

    Notes
    -----
    Items are resampled with replacement and both systems are scored on the same resample, so the
    percentile interval is for the paired difference. Items are treated as independent, which
    overstates precision where several come from one outlet or story. A fixed ``random_state``
    draws the same resamples for every figure of a dataset.
    """

    def diff(i: np.ndarray, axis: int = -1) -> np.ndarray:
        return stat(i, "model") - stat(i, "dictionary")

    idx = np.arange(n)
    res = bootstrap(
        (idx,),
        diff,
        vectorized=True,
        n_resamples=n_resamples,
        method="percentile",
        confidence_level=confidence_level,
        rng=np.random.default_rng(random_state),
    )
    low, high = res.confidence_interval
    return {
        "estimate": round(float(diff(idx)), 4),
        "low": round(float(low), 4),
        "high": round(float(high), 4),
    }
