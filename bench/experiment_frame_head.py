"""What the stacked frame head bought: the shipped head against the former per-frame loop.

usage: python bench/experiment_frame_head.py [--n 300]

The frame head (``MultiLabelLogit``, classifiers/models.py) has computed all frames at once since
commit 01231f5: ``fit`` stacks the per-frame coefficients into one matrix, and ``predict_proba``
is one sparse product (``expit(X @ W + b)``). Before, it called each frame's
``LogisticRegression.predict_proba`` in turn (8 calls, each re-validating its input), which
dominated requests carrying one article (~30 sentences). This script re-measures the gain: it
times ``classify_many`` on one ~600-word article, and on a batch of 200, with the shipped head and
with the former loop, after checking that both give the same probabilities. It patches the class
in this process only.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_classify  # noqa: E402

from classifiers import models, split_sentences  # noqa: E402


def per_frame_predict_proba(self, X):
    """The head before 01231f5: one ``predict_proba`` call per frame (constant frames kept as is)."""
    if not self.multilabel_:
        return shipped(self, X)
    check_is_fitted(self, "estimators_")
    X = validate_data(self, X, accept_sparse="csr", reset=False, dtype=np.float64)
    return np.column_stack([e.predict_proba(X)[:, 1] for e in self.estimators_])


shipped = models.MultiLabelLogit.predict_proba


def per_article_ms(model, items, n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        model.classify_many(items)
    return (time.perf_counter() - t0) / n / len(items) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=300)
    args = ap.parse_args()
    model = bench_classify._model()
    one = bench_classify.make_articles(1)
    batch = bench_classify.make_articles(200)
    parts = model.sentence_model_
    texts = [s.text for s in split_sentences(one[0][1])]
    feats = parts.featurizer.transform(texts)
    stacked = parts.frame_head.predict_proba(feats)
    for _ in range(20):
        model.classify_many(one)
    now = (per_article_ms(model, one, args.n), per_article_ms(model, batch, 3))
    models.MultiLabelLogit.predict_proba = per_frame_predict_proba
    looped = parts.frame_head.predict_proba(feats)
    before = (per_article_ms(model, one, args.n), per_article_ms(model, batch, 3))
    models.MultiLabelLogit.predict_proba = shipped
    same = bool(np.allclose(stacked, looped, rtol=0, atol=1e-9))
    print(f"same probabilities: {same} (max abs diff {np.abs(stacked - looped).max():.2e})")
    print(
        f"one article per call: per-frame loop {before[0]:.2f} ms, stacked (shipped) {now[0]:.2f} ms "
        f"({before[0] / now[0]:.2f}x)"
    )
    print(f"200 articles per call: per-frame loop {before[1]:.3f}, stacked {now[1]:.3f} ms/article")


if __name__ == "__main__":
    main()
