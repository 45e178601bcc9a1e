"""Sentence focus (round-5 experiment, issue 9): what a sentence is about, or a passing mention?

Real coverage names legal, political and diplomatic context in background clauses ("after
Moscow's illegal annexation", "amid talks in Istanbul", "..., which Kyiv calls a war crime").
Bag-of-words sentence scores cannot tell that from a sentence whose main clause makes the
point. Here a background clause is found with regular expressions (no parser): a leading
subordinate clause up to its comma, and trailing "amid / following / despite ..." or
", which / as / after ..." clauses. The frame head then scores the sentence *without* its
background clause (its n-gram counts minus the clause's), which costs one extra tokenisation of
the background substrings only. Article-level focus evidence is built from both scores.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from classifiers.features import SentenceFeaturizer
from classifiers.models import MultiLabelLogit

#: Subordinators that open a background clause at the start of a sentence (up to the first comma).
_LEAD = re.compile(
    r"^\s*(?:(?:\w+\s+){0,2}(?:after|before)|amid|amidst|following|as|since|while|despite|although|"
    r"though|because|when|with|even as|in the wake of|in response to|in the face of|once)\b[^,;:]{3,}?[,;]",
    re.IGNORECASE,
)
#: Clauses that trail the main clause: strong markers without a comma, weaker ones after a comma.
_TRAIL = re.compile(
    r"(?:\s(?:amid|amidst|following|despite|in the wake of|in response to|in the face of)\b"
    r"|,\s*(?:after|as|since|while|which|who|whose|where|when|although|though|because|before|"
    r"even as|with|including|part of)\b)[^,;]*",
    re.IGNORECASE,
)


def background_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of ``text`` read as background clauses (leading and trailing), non-overlapping."""
    spans = []
    m = _LEAD.match(text)
    start = 0
    if m and m.end() < len(text) - 10:  # a whole-sentence match is the main clause, not background
        spans.append((m.start(), m.end()))
        start = m.end()
    spans.extend((t.start(), t.end()) for t in _TRAIL.finditer(text, start))
    return spans


def background_texts(texts: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Rows of ``texts`` with a background clause, and that clause's text (spans joined by a newline)."""
    rows, out = [], []
    for i, t in enumerate(texts):
        spans = background_spans(t)
        if spans:
            rows.append(i)
            out.append("\n".join(t[a:b] for a, b in spans))
    return np.asarray(rows, dtype=int), out


def main_clause_proba(
    sentence_model, texts: Sequence[str], counts: sp.csr_matrix, frame: np.ndarray
) -> np.ndarray:
    """Frame probabilities of each sentence with its background clauses removed.

    ``counts`` and ``frame`` are the sentence model's n-gram counts and frame probabilities of
    ``texts``; sentences without a background clause keep their probability. N-grams that span a
    clause boundary stay with the main clause (a small, consistent approximation).
    """
    out = frame.copy()
    rows, bg = background_texts(texts)
    if not len(rows):
        return out
    fz = sentence_model.featurizer
    main = counts[rows] - fz.transform_counts(bg)
    main.data = np.maximum(main.data, 0)
    main.eliminate_zeros()
    out[rows] = sentence_model.frame_head.predict_proba(fz.features_from_counts(main.tocsr()))
    return out


#: Focus evidence per frame, in column order (see ``focus_features``).
FOCUS_NAMES = (
    "main_second",
    "main_n_over_0.5",
    "background_loss",
    "n_top",
    "early_mass",
    "late_mass",
    "attributed_mass",
    "mass_to_top",
    "title_lede_agree",
    "n_thirds_top",
    "adjacent_max",
    "n_adjacent",
    "weighted_second",
    "weighted_share",
)
N_FOCUS = len(FOCUS_NAMES)


def focus_features(
    proba: np.ndarray,
    main: np.ndarray,
    attributed: np.ndarray,
    lede: np.ndarray,
    title: np.ndarray | None = None,
) -> np.ndarray:
    """Focus evidence of one article, shape (n_frames, N_FOCUS).

    ``proba`` and ``main`` are sentence frame probabilities with and without background clauses
    (headline first), ``attributed`` marks reported speech. Masses are sums of ``proba``;
    ``early_mass`` is the frame's share of its mass in the headline, lede and next two sentences,
    ``late_mass`` in the last third; ``n_top`` counts sentences (log) where the frame is the top
    frame at >= 0.5, ``n_thirds_top`` in how many thirds of the article that happens.
    ``adjacent_*`` look at neighbouring sentence pairs (a frame the article uses tends to run
    over consecutive sentences, a passing mention stands alone); ``weighted_*`` use the main-clause
    probability with attributed sentences counted at half weight.
    """
    n, k = proba.shape
    out = np.zeros((k, N_FOCUS))
    if n == 0:
        return out
    msrt = np.sort(main, axis=0)[::-1]
    mass = proba.sum(axis=0)
    safe = np.maximum(mass, 1e-9)
    top = (proba >= proba.max(axis=1, keepdims=True)) & (proba >= 0.5)
    pos = np.arange(n)
    n_title = int(title.sum()) if title is not None else 0
    early = pos < n_title + 3
    third = np.minimum((3 * (pos - n_title)) // max(n - n_title, 1), 2)
    out[:, 0] = msrt[1] if n > 1 else 0.0
    out[:, 1] = np.log1p((main >= 0.5).sum(axis=0))
    out[:, 2] = 1.0 - main.sum(axis=0) / safe
    out[:, 3] = np.log1p(top.sum(axis=0))
    out[:, 4] = proba[early].sum(axis=0) / safe
    out[:, 5] = proba[third == 2].sum(axis=0) / safe
    out[:, 6] = proba[attributed].sum(axis=0) / safe if attributed.any() else 0.0
    out[:, 7] = mass / max(mass.max(), 1e-9)
    if title is not None and title.any() and (lede & ~title).any():
        out[:, 8] = np.minimum(proba[title].max(axis=0), proba[lede & ~title].max(axis=0))
    out[:, 9] = sum((top[third == t].any(axis=0)) for t in range(3))
    if n > 1:
        pair = np.minimum(proba[:-1], proba[1:])
        out[:, 10] = pair.max(axis=0)
        out[:, 11] = np.log1p((pair >= 0.5).sum(axis=0))
    weighted = main * np.where(attributed, 0.5, 1.0)[:, None]
    out[:, 12] = np.sort(weighted, axis=0)[-2] if n > 1 else 0.0
    out[:, 13] = (weighted >= 0.5).mean(axis=0)
    return out


def sentence_outputs(sentence_model, texts: Sequence[str]) -> dict[str, np.ndarray]:
    """Frame probabilities, main-clause probabilities and attribution flags of ``texts``."""
    fz = sentence_model.featurizer
    counts = fz.transform_counts(texts)
    frame = sentence_model.frame_head.predict_proba(fz.features_from_counts(counts))
    attributed = fz.lexicon_counts(counts)[:, fz.lexicon_names_.index("attribution")] > 0
    return {
        "frame": frame,
        "main": main_clause_proba(sentence_model, texts, counts, frame),
        "attributed": attributed,
    }


class ClauseModel:
    """Sentence frame head over clause-tagged features (a sentence-level representation change).

    ``mode`` "block": [main clause | ``weight`` * background clause], the background clause's
    n-grams with their own coefficients (which may be negative for a frame); "down": one block
    with the background clause's n-gram counts scaled by ``weight`` (0: main clause only).
    """

    def __init__(self, lexicons, params, mode: str, weight: float):
        self.lexicons, self.params, self.mode, self.weight = lexicons, params, mode, weight

    def features(self, texts: Sequence[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        fz = self.featurizer_
        counts = fz.transform_counts(texts)
        rows, bg = background_texts(texts)
        bgc = sp.csr_matrix(counts.shape, dtype=counts.dtype)
        if len(rows):
            pick = sp.csr_matrix(
                (np.ones(len(rows)), (rows, np.arange(len(rows)))), shape=(counts.shape[0], len(rows))
            )
            bgc = (pick @ fz.transform_counts(bg)).tocsr()
        main = counts - bgc
        main.data = np.maximum(main.data, 0)
        main.eliminate_zeros()
        if self.mode == "block":
            blocks = [fz.features_from_counts(main), self.weight * fz.features_from_counts(bgc)]
            return sp.hstack(blocks, format="csr"), counts
        return fz.features_from_counts((main + self.weight * bgc).tocsr()), counts

    def fit(self, texts: Sequence[str], frames: np.ndarray) -> ClauseModel:
        p = self.params
        self.featurizer_ = SentenceFeaturizer(
            lexicons=self.lexicons,
            ngram_range=tuple(p["ngram_range"]),
            min_df=p["min_df"],
            lexicon_weight=p["lexicon_weight"],
        ).fit(texts)
        X, _ = self.features(texts)
        self.head_ = MultiLabelLogit(C=p["C_frame"], random_state=p["random_state"]).fit(X, frames)
        return self

    def outputs(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        X, counts = self.features(texts)
        frame = self.head_.predict_proba(X)
        fz = self.featurizer_
        attributed = fz.lexicon_counts(counts)[:, fz.lexicon_names_.index("attribution")] > 0
        return {"frame": frame, "main": frame, "attributed": attributed}
