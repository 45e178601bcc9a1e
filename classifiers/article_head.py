"""Learned article-level frame decisions over sentence-level evidence (calibrated, per frame).

The codebook calls a frame present when the article *uses* it (two sentences, or the
headline/lede), not when one sentence mentions it. A hand-set rule over sentence probabilities
(second-highest sentence, or the lede, over a threshold) over-fires on real coverage, where
passing mentions are common. Here a small logistic regression per frame learns the decision
from a fixed set of evidence features, fitted on out-of-fold sentence probabilities of our
corpus (grouped by event), so its probabilities are calibrated on articles the sentence heads
have not seen.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from classifiers.environment import training_threads

#: Names of the evidence features per frame, in column order (see ``evidence_features``).
FEATURE_NAMES = (
    "max",
    "second",
    "top3_mean",
    "mean",
    "n_over_0.5",
    "n_over_0.7",
    "share_over_0.5",
    "lede_max",
    "title",
    "counted_second",
    "counted_share",
    "frame_share",
    "is_top_frame",
    "log_n_sentences",
)
N_FEATURES = len(FEATURE_NAMES)


def evidence_features(proba: np.ndarray, lede: np.ndarray, title: np.ndarray | None = None) -> np.ndarray:
    """Evidence summary per frame for one article: shape (n_frames, N_FEATURES).

    ``proba`` holds the sentence frame probabilities (n_sentences, n_frames), headline first;
    ``lede`` marks the headline and first body sentence, ``title`` the headline sentences.
    Counts enter as log(1 + n); ``frame_share`` is the frame's share of the summed
    probability mass of all frames, ``counted_*`` use only sentences where the frame is at
    least 0.7 of the sentence's top frame (the main-clause proxy).
    """
    n, k = proba.shape
    out = np.zeros((k, N_FEATURES))
    if n == 0:
        return out
    srt = np.sort(proba, axis=0)[::-1]
    counted = np.where(proba >= 0.7 * proba.max(axis=1, keepdims=True), proba, 0.0)
    csrt = np.sort(counted, axis=0)[::-1]
    mass = proba.sum(axis=0)
    out[:, 0] = srt[0]
    out[:, 1] = srt[1] if n > 1 else 0.0
    out[:, 2] = srt[:3].mean(axis=0)
    out[:, 3] = proba.mean(axis=0)
    out[:, 4] = np.log1p((proba >= 0.5).sum(axis=0))
    out[:, 5] = np.log1p((proba >= 0.7).sum(axis=0))
    out[:, 6] = (proba >= 0.5).mean(axis=0)
    out[:, 7] = proba[lede].max(axis=0) if lede.any() else 0.0
    out[:, 8] = proba[title].max(axis=0) if title is not None and title.any() else 0.0
    out[:, 9] = csrt[1] if n > 1 else 0.0
    out[:, 10] = (counted >= 0.5).mean(axis=0)
    out[:, 11] = mass / max(mass.sum(), 1e-9)
    out[:, 12] = mass >= mass.max()
    out[:, 13] = np.log1p(n)
    return out


class ArticleFrameHead(ClassifierMixin, BaseEstimator):
    """One logistic regression per frame over that frame's evidence features.

    ``X`` is (n_articles, n_frames, N_FEATURES) from ``evidence_features``; ``y`` is the
    (n_articles, n_frames) 0/1 presence matrix. ``predict_proba`` returns the calibrated
    probability that each frame is present, shape (n_articles, n_frames); ``predict`` applies
    the per-frame ``thresholds`` (default 0.5 for every frame).
    """

    def __init__(self, *, C=1.0, class_weight=None, thresholds=None):
        self.C = C
        self.class_weight = class_weight
        self.thresholds = thresholds

    def fit(self, X, y) -> ArticleFrameHead:
        X, y = np.asarray(X, float), np.asarray(y, int)
        if X.ndim != 3 or y.shape != X.shape[:2]:
            raise ValueError(
                f"X must be (n, n_frames, n_features) and y (n, n_frames); got {X.shape}, {y.shape}"
            )
        if not (isinstance(self.C, int | float) and self.C > 0):
            raise ValueError(f"C must be a positive number, got {self.C!r}")
        self.n_frames_ = X.shape[1]
        self.mean_ = X.reshape(-1, X.shape[2]).mean(axis=0)
        self.scale_ = X.reshape(-1, X.shape[2]).std(axis=0) + 1e-6
        self.estimators_ = []
        with training_threads():  # a fixed BLAS thread count, as for the sentence heads
            for j in range(self.n_frames_):
                col = y[:, j]
                if col.min() == col.max():
                    self.estimators_.append(float(col[0]))
                    continue
                lr = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=2000)
                self.estimators_.append(lr.fit((X[:, j] - self.mean_) / self.scale_, col))
        thr = 0.5 if self.thresholds is None else self.thresholds
        self.thresholds_ = np.broadcast_to(np.asarray(thr, float), (self.n_frames_,)).copy()
        return self

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self, "estimators_")
        X = np.asarray(X, float)
        out = np.zeros(X.shape[:2])
        for j, est in enumerate(self.estimators_):
            if isinstance(est, float):
                out[:, j] = est
            else:
                # binary LogisticRegression.predict_proba[:, 1] is expit of its decision function;
                # computed here with the same product, without its per-call input checks, which
                # cost more than the arithmetic for one article (8 calls per request)
                decision = ((X[:, j] - self.mean_) / self.scale_) @ est.coef_.T + est.intercept_
                out[:, j] = expit(decision.ravel())
        return out

    def predict(self, X) -> np.ndarray:
        return (self.predict_proba(X) >= self.thresholds_).astype(int)


def article_evidence(
    proba: np.ndarray, bounds: Sequence[int], lede: np.ndarray, title: np.ndarray | None = None
) -> np.ndarray:
    """``evidence_features`` for each article of a flattened batch: (n_articles, n_frames, N_FEATURES)."""
    n_art = len(bounds) - 1
    out = np.zeros((n_art, proba.shape[1], N_FEATURES))
    for i in range(n_art):
        sl = slice(bounds[i], bounds[i + 1])
        out[i] = evidence_features(proba[sl], lede[sl], None if title is None else title[sl])
    return out


def _layout(table, n_articles: int) -> tuple[np.ndarray, np.ndarray]:
    """Article row bounds of a ``SentenceTable`` and its headline rows (rows grouped by article)."""
    bounds = np.searchsorted(table.article, np.arange(n_articles + 1))
    title = np.zeros(len(table.texts), bool)
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        # sentence_table puts the headline first; it and the first body sentence are both lede
        title[a] = b - a >= 2 and bool(table.lede[a] and table.lede[a + 1])
    return bounds, title


def corpus_evidence(table, n_articles: int, frame_proba: np.ndarray) -> np.ndarray:
    """``article_evidence`` for a ``SentenceTable`` (rows grouped by article, headline first)."""
    bounds, title = _layout(table, n_articles)
    return article_evidence(frame_proba, bounds, table.lede, title)


def corpus_excerpts(
    table, n_articles: int, frame_proba: np.ndarray, *, n_per: int, keep: float, random_state: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evidence, gold frames and owning article of ``n_per`` random excerpts of each corpus article.

    Real coverage (the eval set, Media Cloud and GDELT snippets) is often an excerpt, shorter
    than our corpus articles; a head fitted on whole articles only demands more evidence than a
    short text can hold. Each excerpt keeps the headline and lede and every other sentence with
    probability ``keep``, in order. Its gold frames follow from the sentence labels by the
    codebook rule (the headline/lede, or two body sentences), which our article labels follow in
    99.97 % of (article, frame) pairs.

    Notes
    -----
    ``frame_proba`` must be out-of-fold (``classifiers.cv.cross_validate``), like the whole
    articles' evidence, and callers that cross-validate the head must train each fold only on
    excerpts whose ``owner`` is in that fold's training part (``classifiers.cv.article_head_oof``).
    Seeded by ``random_state`` alone, so the same corpus gives the same excerpts.
    """
    if not (isinstance(n_per, int) and n_per >= 0):
        raise ValueError(f"n_per must be a non-negative integer, got {n_per!r}")
    if not 0.0 <= keep <= 1.0:
        raise ValueError(f"keep must be within [0, 1], got {keep!r}")
    rng = np.random.default_rng(random_state)
    bounds, title = _layout(table, n_articles)
    X = np.zeros((n_articles * n_per, frame_proba.shape[1], N_FEATURES))
    y = np.zeros((n_articles * n_per, frame_proba.shape[1]), dtype=int)
    owner = np.repeat(np.arange(n_articles), n_per)
    for i in range(n_articles):
        sl = slice(bounds[i], bounds[i + 1])
        p, f, led, tit = frame_proba[sl], table.frames[sl], table.lede[sl], title[sl]
        for r in range(i * n_per, (i + 1) * n_per):
            m = led | (rng.random(len(p)) < keep)
            y[r] = f[m][led[m]].any(axis=0) | (f[m][~tit[m]].sum(axis=0) >= 2)
            X[r] = evidence_features(p[m], led[m], tit[m])
    return X, y, owner
