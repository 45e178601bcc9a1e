"""Error-corrected prevalence: classify-and-count adjusted for the classifier's known error rates.

A share of articles *labelled* with a frame is not the share that *use* it: a classifier with
true-positive rate TPR and false-positive rate FPR labels, in expectation,
``q = p * TPR + (1 - p) * FPR`` of them, so ``p = (q - FPR) / (TPR - FPR)`` (Rogan & Gladen 1978;
Forman's adjusted classify-and-count, 2008). For stance (several classes) the same holds with the
confusion matrix ``M[true, predicted]``: ``q = M^T p``, solved for ``p`` and projected onto the
probability simplex (the misclassification-matrix method Hopkins & King 2010 build on).

Intervals carry both errors by Monte Carlo over Beta (Dirichlet) posteriors: the labelled share
``q ~ Beta(count + 1/2, n - count + 1/2)`` (sampling of articles), ``TPR ~ Beta(TP + 1/2, FN + 1/2)``
and ``FPR ~ Beta(FP + 1/2, TN + 1/2)`` (the validation sample), each draw corrected and clipped,
the interval being the draws' percentiles. Posteriors rather than a bootstrap because outlets often
have a handful of articles: a bootstrap of 0 of 5 articles is always 0 (a zero-width interval),
while Jeffreys-prior Beta intervals keep near-nominal frequentist coverage down to small ``n``
(Brown, Cai & DasGupta 2001). The simulation tests check unbiasedness and coverage.

References
----------
Rogan, W. J. & Gladen, B. (1978). Estimating prevalence from the results of a screening test.
American Journal of Epidemiology 107(1), 71–76.
Forman, G. (2008). Quantifying counts and costs via classification. Data Mining and Knowledge
Discovery 17(2), 164–206.
Hopkins, D. J. & King, G. (2010). A method of automated nonparametric content analysis for social
science. American Journal of Political Science 54(1), 229–247.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from comparison.errors import ComparisonError, InvalidParameterError
from comparison.stats import ConfidenceInterval, check_confidence_level

FRAME_METHOD = (
    "rogan-gladen adjusted classify-and-count; Jeffreys Beta posterior draws (articles, validation)"
)
STANCE_METHOD = (
    "confusion-matrix inversion onto the simplex; Dirichlet posterior draws (articles, validation)"
)
CLIPPED_NOTE = (
    "clipped at 1: more articles labelled than the validation TPR allows, so the figures do not fit "
    "these articles (the interval can be too narrow; prefer your own annotations)"
)
N_DRAWS = 4000
MIN_YOUDEN = 0.02  # floor on TPR - FPR in a draw: below it the draw says "anything", clipped to 0 or 1


class CorrectionError(ComparisonError):
    """The validation figures cannot correct this estimate (no positives, or TPR <= FPR)."""


def seed_for(random_state: int, *parts: str) -> np.random.Generator:
    """A generator seeded by ``random_state`` and names, so a row's draws do not depend on row order."""
    return np.random.default_rng([int(random_state), *(zlib.crc32(p.encode()) for p in parts)])


@dataclass(frozen=True)
class BinaryValidation:
    """One frame's labels on a validation sample: predicted vs true presence counts."""

    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def tpr(self) -> float:
        if self.tp + self.fn == 0:
            raise CorrectionError("the validation sample has no article with this frame (TPR unknown)")
        return self.tp / (self.tp + self.fn)

    @property
    def fpr(self) -> float:
        if self.fp + self.tn == 0:
            raise CorrectionError("the validation sample has no article without this frame (FPR unknown)")
        return self.fp / (self.fp + self.tn)

    def check(self) -> None:
        """Raise ``CorrectionError`` unless the figures identify a correction (TPR > FPR)."""
        if min(self.tp, self.fp, self.fn, self.tn) < 0:
            raise InvalidParameterError("validation counts must be non-negative")
        if self.tpr - self.fpr <= MIN_YOUDEN:
            raise CorrectionError(
                f"the classifier does not separate this frame on the validation sample "
                f"(TPR {self.tpr:.2f} <= FPR {self.fpr:.2f}); its share cannot be corrected"
            )

    def draws(self, n_draws: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Posterior draws of (TPR, FPR) under Jeffreys priors."""
        return rng.beta(self.tp + 0.5, self.fn + 0.5, n_draws), rng.beta(
            self.fp + 0.5, self.tn + 0.5, n_draws
        )


@dataclass(frozen=True)
class StanceValidation:
    """Stance confusion counts on a validation sample: ``counts[i][j]``: true ``labels[i]``, predicted j."""

    labels: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    def matrix(self) -> np.ndarray:
        """Row-normalised ``P(predicted | true)``; a true class never seen raises ``CorrectionError``."""
        c = np.asarray(self.counts, float)
        if c.shape != (len(self.labels), len(self.labels)) or (c < 0).any():
            raise InvalidParameterError("stance counts must be a square non-negative matrix over labels")
        totals = c.sum(axis=1, keepdims=True)
        if (totals == 0).any():
            missing = [lab for lab, t in zip(self.labels, totals[:, 0], strict=True) if t == 0]
            raise CorrectionError(f"the validation sample has no article with true stance {missing}")
        return c / totals

    def draws(self, n_draws: int, rng: np.random.Generator) -> np.ndarray:
        """Posterior draws of the row-stochastic matrix, shape (n_draws, k, k)."""
        c = np.asarray(self.counts, float) + 0.5
        return np.stack([rng.dirichlet(row, n_draws) for row in c], axis=1)


@dataclass(frozen=True)
class CorrectedShare:
    """A share corrected for classification error, with an interval carrying both error sources."""

    share: float
    ci_low: float
    ci_high: float
    confidence_level: float
    method: str
    n_draws: int
    draws: np.ndarray = field(repr=False, compare=False, default_factory=lambda: np.empty(0))

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Percentile interval of the posterior draws (default: the level it was computed at)."""
        if confidence_level is None or confidence_level == self.confidence_level:
            return ConfidenceInterval(self.ci_low, self.ci_high)
        check_confidence_level(confidence_level)
        a = (1 - confidence_level) / 2
        low, high = np.quantile(self.draws, [a, 1 - a])
        return ConfidenceInterval(float(low), float(high))

    def summary(self) -> str:
        level = round(100 * self.confidence_level)
        interval = f"{level}% CI {self.ci_low:.3f}–{self.ci_high:.3f}"
        return f"corrected share {self.share:.3f} ({interval}; {self.method})"

    def __str__(self) -> str:
        return self.summary()


def rogan_gladen(q: Any, tpr: Any, fpr: Any) -> np.ndarray:
    """``(q - FPR) / (TPR - FPR)`` clipped to [0, 1]; a denominator under ``MIN_YOUDEN`` is floored."""
    denominator = np.maximum(np.asarray(tpr, float) - np.asarray(fpr, float), MIN_YOUDEN)
    return np.clip((np.asarray(q, float) - fpr) / denominator, 0.0, 1.0)


def project_simplex(v: np.ndarray) -> np.ndarray:
    """Euclidean projection of each row of ``v`` onto the probability simplex (Duchi et al. 2008)."""
    v = np.atleast_2d(np.asarray(v, float))
    u = -np.sort(-v, axis=1)
    css = np.cumsum(u, axis=1) - 1.0
    idx = np.arange(1, v.shape[1] + 1)
    rho = (u - css / idx > 0).sum(axis=1)
    theta = css[np.arange(v.shape[0]), rho - 1] / rho
    return np.maximum(v - theta[:, None], 0.0)


def invert_confusion(q: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Solve ``q = M^T p`` for ``p`` (least squares, batched over leading axes), onto the simplex."""
    q = np.asarray(q, float)
    m = np.asarray(m, float)
    p = np.einsum("...ij,...j->...i", np.linalg.pinv(np.swapaxes(m, -1, -2)), q)
    return project_simplex(p.reshape(-1, p.shape[-1])).reshape(p.shape)


def _interval(draws: np.ndarray, confidence_level: float) -> tuple[float, float]:
    a = (1 - confidence_level) / 2
    low, high = np.quantile(draws, [a, 1 - a])
    return float(low), float(high)


def correct_share(
    count: int,
    n: int,
    validation: BinaryValidation,
    *,
    confidence_level: float = 0.95,
    n_draws: int = N_DRAWS,
    random_state: int = 0,
    validation_draws: tuple[np.ndarray, np.ndarray] | None = None,
    key: str = "",
) -> CorrectedShare:
    """Correct ``count`` of ``n`` labelled articles for the frame's TPR/FPR on a validation sample.

    ``validation_draws`` lets several shares of one frame share the same (TPR, FPR) draws, so that
    differences between outlets carry the validation uncertainty once, as it really is: common.
    ``key`` (e.g. the outlet and frame) seeds the article-sampling draws, independent per key.

    Notes
    -----
    Assumes the validation sample's error rates hold for the analysed articles (the classifier errs
    as often given the truth, whatever the outlet): the assumption of every adjusted count.
    """
    check_confidence_level(confidence_level)
    if n <= 0 or not 0 <= count <= n:
        raise InvalidParameterError(f"need 0 <= count <= n and n > 0 (count {count}, n {n})")
    validation.check()
    rng = seed_for(random_state, "share", key, str(count), str(n))
    tpr, fpr = validation_draws or validation.draws(n_draws, seed_for(random_state, "validation"))
    q = rng.beta(count + 0.5, n - count + 0.5, len(tpr))
    draws = rogan_gladen(q, tpr, fpr)
    point = float(rogan_gladen(count / n, validation.tpr, validation.fpr))
    low, high = _interval(draws, confidence_level)
    method = FRAME_METHOD
    if count / n > validation.tpr:
        method += f"; {CLIPPED_NOTE}"
    return CorrectedShare(point, low, high, confidence_level, method, len(draws), draws)


def correct_distribution(
    counts: Mapping[str, int],
    validation: StanceValidation,
    *,
    confidence_level: float = 0.95,
    n_draws: int = N_DRAWS,
    random_state: int = 0,
    validation_draws: np.ndarray | None = None,
    key: str = "",
) -> dict[str, CorrectedShare]:
    """Correct a distribution of predicted labels (e.g. stance) with the validation confusion matrix."""
    check_confidence_level(confidence_level)
    labels = validation.labels
    if set(counts) - set(labels):
        raise InvalidParameterError(
            f"labels {sorted(set(counts) - set(labels))} are not in the validation figures"
        )
    c = np.asarray([counts.get(lab, 0) for lab in labels], float)
    if c.sum() <= 0 or (c < 0).any():
        raise InvalidParameterError("need non-negative counts with a positive total")
    m_hat = validation.matrix()
    seed = seed_for(random_state, "distribution", key, *(str(int(x)) for x in c))
    m = (
        validation_draws
        if validation_draws is not None
        else validation.draws(n_draws, seed_for(random_state, "stance"))
    )
    q = seed.dirichlet(c + 0.5, len(m))
    draws = invert_confusion(q, m)
    point = invert_confusion(c / c.sum(), m_hat)
    out = {}
    for j, lab in enumerate(labels):
        low, high = _interval(draws[:, j], confidence_level)
        out[lab] = CorrectedShare(
            float(point[j]), low, high, confidence_level, STANCE_METHOD, len(m), draws[:, j]
        )
    return out


def binary_counts(predicted: Sequence[bool], truth: Sequence[bool]) -> BinaryValidation:
    """Count TP/FP/FN/TN of paired predicted and true presences."""
    p = np.asarray(predicted, bool)
    t = np.asarray(truth, bool)
    if p.shape != t.shape:
        raise InvalidParameterError("predicted and true labels must pair up")
    return BinaryValidation(
        int((p & t).sum()), int((p & ~t).sum()), int((~p & t).sum()), int((~p & ~t).sum())
    )


def confusion_counts(
    predicted: Sequence[str | None], truth: Sequence[str | None], labels: Sequence[str]
) -> StanceValidation:
    """Confusion counts over ``labels``; pairs where either side is not one of them are skipped."""
    index = {lab: i for i, lab in enumerate(labels)}
    c = np.zeros((len(labels), len(labels)), int)
    for p, t in zip(predicted, truth, strict=True):
        if p in index and t in index:
            c[index[t], index[p]] += 1
    return StanceValidation(tuple(labels), tuple(tuple(int(x) for x in row) for row in c))
