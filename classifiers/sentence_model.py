"""Sentence-level scoring: the fitted featuriser and heads, applied to a batch of sentences.

One function for the served classifier and for every cross-validation fold, so the out-of-fold
probabilities that choose the thresholds are computed exactly as the served ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from classifiers.article import own_voice
from classifiers.codebook import STANCE_LABELS
from classifiers.features import SentenceFeaturizer, with_encoder
from classifiers.models import MultiLabelLogit

#: Lexicon columns the stance rules read: target mentions, and attribution cues (not own voice).
ALIAS_LEXICON = "target:alias"
ATTRIBUTION_LEXICON = "attribution"


@dataclass(frozen=True)
class SentenceScores:
    """Per-sentence outputs: frame probabilities (n, n_frames), own-voice stance (n, 3), target mentions."""

    frame: np.ndarray
    stance: np.ndarray
    alias: np.ndarray


@dataclass(frozen=True)
class SentenceModel:
    """The fitted sentence featuriser, frame head and stance head (plus the optional encoder).

    ``encoder_stance`` feeds the encoder block to the stance head too (cross-validation found it
    helps frames and hurts stance, so it is off by default).
    """

    featurizer: SentenceFeaturizer
    frame_head: MultiLabelLogit
    stance_head: MultiLabelLogit
    encoder: object | None = None
    encoder_stance: bool = False

    def lexicon_columns(self) -> list[int]:
        """Columns of the alias and attribution lexicons (ValueError if the featuriser lacks one)."""
        return [self.featurizer.lexicon_names_.index(n) for n in (ALIAS_LEXICON, ATTRIBUTION_LEXICON)]

    def stance_columns(self) -> list[int]:
        """Columns of the stance head's ``predict_proba`` in ``STANCE_LABELS`` order."""
        return [list(self.stance_head.classes_).index(label) for label in STANCE_LABELS]

    def scores(self, texts: Sequence[str], attribution_discount: float) -> SentenceScores:
        """Score a batch in one tokenisation pass; attributed sentences' stance moves toward neutral."""
        sparse, matches = self.featurizer.transform_with_lexicon(texts)
        sparse = sparse.astype(np.float64)  # what the heads' input checks would convert it to, once
        feats = with_encoder(sparse, self.encoder, texts)
        frame = self.frame_head.predict_proba(feats)
        stance = self.stance_head.predict_proba(feats if self.encoder_stance else sparse)[
            :, self.stance_columns()
        ]
        hits = matches[:, self.lexicon_columns()]
        stance = own_voice(stance, hits[:, 1] > 0, attribution_discount)
        return SentenceScores(frame, stance, hits[:, 0])
