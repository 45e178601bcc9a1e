"""What to code next: articles the model is least sure about, spread over different content.

Uncertainty sampling alone picks near-duplicates (ten wire copies of one uncertain story);
diversity alone ignores what the model already knows. ``suggest`` ranks by uncertainty and
discounts each candidate by its similarity to the articles already picked (greedy, in the spirit
of maximal marginal relevance), so a coder's hour goes to articles that each teach something new.
Deterministic: ties are broken by position.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

#: How strongly similarity to already-picked articles discounts a candidate (0: uncertainty only).
DIVERSITY = 0.7


def uncertainty(frame_scores: np.ndarray, stance_scores: np.ndarray | None = None) -> np.ndarray:
    """Per article, mean closeness of the frame probabilities to 0.5 (1 = coin flip, 0 = sure).

    ``frame_scores`` is (n, n_frames); ``stance_scores`` (n, 3) adds one minus the margin between
    the two most probable stance labels as one more term, when given.
    """
    frames = np.asarray(frame_scores, float)
    terms = 1.0 - np.abs(2.0 * frames - 1.0)
    out = terms.sum(axis=1)
    n_terms = frames.shape[1]
    if stance_scores is not None:
        stance = np.sort(np.asarray(stance_scores, float), axis=1)
        out = out + (1.0 - (stance[:, -1] - stance[:, -2]))
        n_terms += 1
    return out / max(n_terms, 1)


def suggest(
    texts: Sequence[str], scores: np.ndarray, n: int, *, diversity: float = DIVERSITY
) -> list[tuple[int, float]]:
    """Indices of ``n`` articles to code next with their uncertainty, most useful first.

    ``scores`` are the uncertainties (``uncertainty``); ``texts`` give the content similarity
    (TF-IDF cosine over word 1-2-grams).
    """
    scores = np.asarray(scores, float)
    n = min(n, len(texts))
    if n <= 0:
        return []
    try:
        X = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True).fit_transform(texts)
    except ValueError:  # no words at all: uncertainty alone
        X = None
    max_sim = np.zeros(len(texts))
    chosen: list[tuple[int, float]] = []
    taken = np.zeros(len(texts), bool)
    for _ in range(n):
        value = np.where(taken, -np.inf, scores * (1.0 - diversity * max_sim))
        best = int(np.argmax(value))
        chosen.append((best, float(scores[best])))
        taken[best] = True
        if X is not None:
            sim = (X @ X[best].T).toarray().ravel()
            max_sim = np.maximum(max_sim, sim)
    return chosen
