"""Baseline: the plain codebook-indicator dictionary, with the same article rule.

A sentence counts for a frame when it contains at least ``min_hits`` of the frame's
indicator phrases; the frame is present when two sentences count, or the headline/lede
does. Stance: own-voice side terms (sentences without attribution cues) decide favor or
against when one side has at least ``min_side_hits`` more matches; otherwise neutral.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from classifiers.article import article_frame_scores, flatten, prepare_article
from classifiers.codebook import STANCE_LABELS, Codebook
from classifiers.features import SentenceFeaturizer, lexicons_from_codebook


class DictionaryBaseline:
    """Indicator-phrase counting; ``min_hits`` is one integer per frame (or one for all)."""

    def __init__(self, codebook: Codebook, vocabulary_texts: Sequence[str], *, min_hits=2, min_side_hits=2):
        self.codebook = codebook
        self.featurizer = SentenceFeaturizer(lexicons=lexicons_from_codebook(codebook), min_df=1).fit(
            vocabulary_texts
        )
        n = len(codebook.frames)
        self.min_hits = np.broadcast_to(np.asarray(min_hits), (n,)).copy()
        self.min_side_hits = min_side_hits
        names = self.featurizer.lexicon_names_
        self._cols = {name: i for i, name in enumerate(names)}

    def sentence_hits(self, texts: Sequence[str]) -> np.ndarray:
        return self.featurizer.lexicon_counts(self.featurizer.transform_counts(texts))

    def predict(self, items: Sequence[tuple[str, str]]) -> list[dict]:
        prepared = [prepare_article(t, x) for t, x in items]
        texts, bounds = flatten(prepared)
        hits = self.sentence_hits(texts) if texts else np.zeros((0, len(self._cols)))
        n = len(self.codebook.frames)
        out = []
        for i, prep in enumerate(prepared):
            h = hits[bounds[i] : bounds[i + 1]]
            if prep.status != "ok":
                out.append({"frames": [], "dominant": None, "stance": None})
                continue
            counted = (h[:, :n] >= self.min_hits).astype(float)
            present = article_frame_scores(counted, prep.lede) >= 1
            share = counted.sum(axis=0)
            keys = self.codebook.frame_keys
            dominant = keys[int(np.argmax(np.where(present, share, -1)))] if present.any() else None
            own = h[:, self._cols["attribution"]] == 0
            fav = h[own, self._cols["side:favor"]].sum()
            ag = h[own, self._cols["side:against"]].sum()
            favor, against, neutral = STANCE_LABELS
            stance = (
                favor
                if fav - ag >= self.min_side_hits
                else against
                if ag - fav >= self.min_side_hits
                else neutral
            )
            if h[:, self._cols["target:alias"]].sum() == 0:
                stance = None
            out.append(
                {
                    "frames": [k for k, p in zip(keys, present, strict=True) if p],
                    "dominant": dominant,
                    "stance": stance,
                }
            )
        return out
