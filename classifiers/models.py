"""The estimators behind a classification, and the pipelines that use them.

``MultiLabelLogit`` scores every frame for every sentence (one logistic regression per frame,
multi-label) and, with a 1-D ``y``, own-voice stance per sentence. It takes the numeric output
of ``SentenceFeaturizer`` and follows the estimator conventions (keyword-only ``__init__``,
validation in ``fit``, learned state ending in ``_``, ``check_is_fitted``). The stance
aggregator turns sentence stance into article stance.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.extmath import softmax
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted, validate_data

from classifiers.environment import training_threads
from classifiers.features import SentenceFeaturizer

_CLASS_WEIGHTS = (None, "balanced")


class MultiLabelLogit(ClassifierMixin, BaseEstimator):
    """One L2 logistic regression per label column.

    With a 2-D 0/1 ``y`` (multi-label) ``predict_proba`` returns one positive-class
    probability per label, shape (n_samples, n_labels), like other multi-label scikit-learn
    estimators report in a single array. With a 1-D ``y`` it is a plain (multinomial)
    logistic regression, so it also works as an ordinary classifier.
    """

    def __init__(self, *, C=1.0, class_weight="balanced", max_iter=1000, random_state=None):
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.random_state = random_state

    def _new(self, binary: bool) -> LogisticRegression:
        return LogisticRegression(
            C=self.C,
            class_weight=self.class_weight,
            max_iter=self.max_iter,
            solver="liblinear" if binary else "newton-cg",
            random_state=self.random_state,
        )

    def fit(self, X, y) -> MultiLabelLogit:
        with training_threads():  # the weights depend on the BLAS thread count (classifiers.environment)
            return self._fit(X, y)

    def _fit(self, X, y) -> MultiLabelLogit:
        if not (self.class_weight in _CLASS_WEIGHTS or isinstance(self.class_weight, dict)):
            raise ValueError(
                f"class_weight must be one of {_CLASS_WEIGHTS} or a dict, got {self.class_weight!r}"
            )
        if not (isinstance(self.C, int | float) and self.C > 0):
            raise ValueError(f"C must be a positive number, got {self.C!r}")
        X, y = validate_data(self, X, y, accept_sparse="csr", multi_output=True, dtype=np.float64)
        kind = type_of_target(y, raise_unknown=True)
        self.multilabel_ = kind == "multilabel-indicator"
        if self.multilabel_:
            self.classes_ = np.arange(y.shape[1])
            self.estimators_ = []
            for j in range(y.shape[1]):
                col = np.asarray(y[:, j]).astype(int)
                est = self._new(binary=True).fit(X, col) if col.min() != col.max() else _Constant(col[0])
                self.estimators_.append(est)
            self.stacked_coef_, self.stacked_intercept_, self.constant_proba_ = _stack(
                self.estimators_, self.n_features_in_
            )
        else:
            if kind not in ("binary", "multiclass"):
                raise ValueError(f"unsupported target type {kind!r}")
            self.classes_ = unique_labels(y)
            if len(self.classes_) < 2:
                raise ValueError("y has only one class; at least two are needed")
            self.estimators_ = [self._new(binary=len(self.classes_) == 2).fit(X, y)]
        self.n_iter_ = np.array([int(np.max(getattr(e, "n_iter_", [0]))) for e in self.estimators_])
        return self

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self, "estimators_")
        X = self._checked(X)
        if self.multilabel_:
            proba = expit(np.asarray(X @ self.stacked_coef_) + self.stacked_intercept_)
            fixed = self.constant_proba_ >= 0
            proba[:, fixed] = self.constant_proba_[fixed]
            return proba
        return logistic_proba(self.estimators_[0], X)

    def _checked(self, X):
        """``validate_data``, except for a float64 CSR of the fitted width (the featuriser's output).

        Why: its checks (feature names, dataframe detection, finiteness) cost ~0.15 ms a call, more
        than the product for one article; a CSR the featuriser built is finite by construction.
        """
        featurised = sp.issparse(X) and X.format == "csr" and X.dtype == np.float64
        if featurised and X.ndim == 2 and X.shape[1] == self.n_features_in_:
            return X
        return validate_data(self, X, accept_sparse="csr", reset=False, dtype=np.float64)

    def decision_function(self, X) -> np.ndarray:
        check_is_fitted(self, "estimators_")
        X = validate_data(self, X, accept_sparse="csr", reset=False, dtype=np.float64)
        if self.multilabel_:
            return np.column_stack([e.decision_function(X) for e in self.estimators_])
        return self.estimators_[0].decision_function(X)

    def predict(self, X) -> np.ndarray:
        proba = self.predict_proba(X)
        if self.multilabel_:
            return (proba >= 0.5).astype(int)
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class _Constant:
    """Stand-in for a label column that is constant in the training data."""

    def __init__(self, value: int):
        self.value = float(value)

    def predict_proba(self, X) -> np.ndarray:
        p = np.full(X.shape[0], self.value)
        return np.column_stack([1 - p, p])

    def decision_function(self, X) -> np.ndarray:
        return np.full(X.shape[0], 10.0 if self.value else -10.0)


def _stack(estimators: list, n_features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All binary heads as one (n_features, n_labels) coefficient matrix, an intercept row and fixed values.

    Why: one sparse-dense product replaces a ``predict_proba`` call per label, whose fixed
    overhead dominated single-article requests; the result equals liblinear's binary
    ``predict_proba`` (logistic of the decision function). The third array holds the fixed
    probability of labels that were constant in training (-1 elsewhere).
    """
    coef = np.zeros((n_features, len(estimators)))
    intercept = np.zeros(len(estimators))
    constant = np.full(len(estimators), -1.0)
    for j, est in enumerate(estimators):
        if isinstance(est, _Constant):
            constant[j] = est.value
        else:
            coef[:, j] = est.coef_[0]
            intercept[j] = est.intercept_[0]
    return coef, intercept, constant


def logistic_proba(lr: LogisticRegression, X) -> np.ndarray:
    """``lr.predict_proba(X)`` for an already checked float64 ``X``: the same product and softmax.

    Multinomial models only (more than two classes); a binary one goes through ``predict_proba``.
    """
    if len(lr.classes_) <= 2:
        return lr.predict_proba(X)
    check_is_fitted(lr)
    decision = X @ lr.coef_.T + lr.intercept_
    return softmax(np.asarray(decision), copy=False)


def pipeline_proba(pipeline: Pipeline, X: np.ndarray) -> np.ndarray:
    """``pipeline.predict_proba(X)`` for the stance aggregator (``make_stance_aggregator``), checks skipped.

    Why: per request the aggregator scores one row of 11 summary features, and the input checks of
    the scaler and the regression cost ~0.5 ms against microseconds of arithmetic. Any other
    pipeline shape goes through ``predict_proba`` unchanged.
    """
    steps = [step for _, step in pipeline.steps]
    plain = (
        len(steps) == 2
        and type(steps[0]) is StandardScaler
        and type(steps[1]) is LogisticRegression
        and steps[0].with_mean
        and steps[0].with_std
        and len(steps[1].classes_) > 2
    )
    if not plain:
        return pipeline.predict_proba(X)
    scaler = steps[0]
    check_is_fitted(scaler)
    Xs = np.array(X, dtype=np.float64)  # StandardScaler.transform: a float64 copy, centred, scaled
    Xs -= scaler.mean_.astype(np.float64)
    Xs /= scaler.scale_.astype(np.float64)
    return logistic_proba(steps[1], Xs)


def make_sentence_pipeline(
    *,
    lexicons,
    C=1.0,
    class_weight="balanced",
    ngram_range=(1, 2),
    min_df=2,
    lexicon_weight=1.0,
    random_state=0,
) -> Pipeline:
    """Text -> features -> multi-label (or multiclass) logistic heads."""
    return Pipeline(
        [
            (
                "features",
                SentenceFeaturizer(
                    lexicons=lexicons, ngram_range=ngram_range, min_df=min_df, lexicon_weight=lexicon_weight
                ),
            ),
            ("clf", MultiLabelLogit(C=C, class_weight=class_weight, random_state=random_state)),
        ]
    )


def make_stance_aggregator(random_state: int = 0, class_weight=None) -> Pipeline:
    """Article stance from the fixed-length summary of its sentences (``article.stance_article_features``)."""
    return make_pipeline(
        StandardScaler(),
        LogisticRegression(C=0.5, class_weight=class_weight, max_iter=2000, random_state=random_state),
    )
