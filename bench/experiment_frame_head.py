"""What one matrix product for the frame head would buy (an experiment; classifiers/ is unchanged).

usage: python bench/experiment_frame_head.py [--n 300]

The profile of ``POST /v1/classify`` shows ``MultiLabelLogit.predict_proba`` calling each frame's
``LogisticRegression.predict_proba`` in turn: 8 calls, each re-validating its input, which dominates
when a request carries one article (~30 sentences). This script times ``classify_many`` on one
~600-word article, and on a batch of 200, with the shipped head and with a stand-in that computes
all frames at once (``expit(X @ W.T + b)`` with the per-frame coefficients stacked), after checking
that both give the same probabilities. It patches the class in this process only.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy.special import expit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_classify  # noqa: E402

from classifiers import models  # noqa: E402


def stacked_predict_proba(self, X):
    """All binary frame models at once; constant columns (a label never/always seen) kept as is."""
    if not self.multilabel_:
        return original(self, X)
    if not hasattr(self, "_stack"):
        rows = [(i, e) for i, e in enumerate(self.estimators_) if hasattr(e, "coef_")]
        self._stack = (
            [i for i, _ in rows],
            np.vstack([e.coef_ for _, e in rows]),
            np.concatenate([e.intercept_ for _, e in rows]),
        )
    cols, W, b = self._stack
    out = np.column_stack(
        [
            e.predict_proba(X[:1])[:, 1].repeat(X.shape[0])
            if not hasattr(e, "coef_")
            else np.zeros(X.shape[0])
            for e in self.estimators_
        ]
    )
    out[:, cols] = expit(np.asarray(X @ W.T) + b)
    return out


original = models.MultiLabelLogit.predict_proba


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
    texts = [s.text for s in __import__("classifiers").split_sentences(one[0][1])]
    feats = model.featurizer.features_from_counts(model.featurizer.transform_counts(texts))
    ref = model.frame_head.predict_proba(feats)
    for _ in range(20):
        model.classify_many(one)
    shipped = (per_article_ms(model, one, args.n), per_article_ms(model, batch, 3))
    models.MultiLabelLogit.predict_proba = stacked_predict_proba
    new = model.frame_head.predict_proba(feats)
    same = bool(np.allclose(ref, new, atol=1e-9))
    stacked = (per_article_ms(model, one, args.n), per_article_ms(model, batch, 3))
    models.MultiLabelLogit.predict_proba = original
    print(f"same probabilities: {same} (max abs diff {np.abs(ref - new).max():.2e})")
    print(
        f"one article per call: shipped {shipped[0]:.2f} ms, stacked {stacked[0]:.2f} ms "
        f"({shipped[0] / stacked[0]:.2f}x)"
    )
    print(f"200 articles per call: shipped {shipped[1]:.3f} ms/article, stacked {stacked[1]:.3f} ms/article")


if __name__ == "__main__":
    main()
