"""Fitting the model's parts on labelled data: sentence featuriser and heads, stance aggregator.

No cross-validation here (that is classifiers.cv, which calls these functions per fold) and no
choice of thresholds; ``classifiers.build.train`` puts the parts together. Everything is seeded
through ``params["random_state"]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.pipeline import Pipeline

from classifiers.article import stance_article_features
from classifiers.codebook import Codebook
from classifiers.corpus import Corpus
from classifiers.environment import training_threads
from classifiers.features import SentenceFeaturizer, with_encoder
from classifiers.models import MultiLabelLogit, make_stance_aggregator
from classifiers.sentence_model import SentenceModel

if TYPE_CHECKING:
    from classifiers.encoder import SentenceEncoder


@dataclass
class SentenceTable:
    """All labelled sentences of a corpus (headline first in each article)."""

    texts: list[str]
    frames: np.ndarray  # (n, n_frames) 0/1
    stance: np.ndarray  # object: a stance label or None
    article: np.ndarray  # index into corpus.articles
    lede: np.ndarray  # headline or first body sentence


def sentence_table(corpus: Corpus, codebook: Codebook) -> SentenceTable:
    """One row per labelled sentence, frame columns in codebook order."""
    keys = codebook.frame_keys
    texts, frames, stance, art, lede = [], [], [], [], []
    for i, a in enumerate(corpus.articles):
        rows = [(a.title, a.title_frames, a.title_stance, True)] if a.title else []
        rows += [(s.text, s.frames, s.stance, j == 0) for j, s in enumerate(a.sentences)]
        for text, fr, st, is_lede in rows:
            texts.append(text)
            frames.append([k in fr for k in keys])
            stance.append(st)
            art.append(i)
            lede.append(is_lede)
    return SentenceTable(
        texts,
        np.asarray(frames, dtype=int),
        np.asarray(stance, dtype=object),
        np.asarray(art),
        np.asarray(lede, bool),
    )


def make_encoder(params: Mapping[str, Any]) -> SentenceEncoder | None:
    """The optional dense extractor named by ``params["encoder"]`` (None: sparse only)."""
    if not params.get("encoder"):
        return None
    if params["encoder"] != "minilm":
        raise ValueError(f"unknown encoder {params['encoder']!r}; allowed: None, 'minilm'")
    from classifiers.encoder import SentenceEncoder

    return SentenceEncoder(weight=params.get("encoder_weight", 1.0)).fit([])


def fit_sentence_model(
    texts: Sequence[str],
    frames: np.ndarray,
    stance: np.ndarray,
    lexicons: tuple,
    params: Mapping[str, Any],
    encoder: SentenceEncoder | None = None,
) -> SentenceModel:
    """Fit the featuriser and both sentence heads; sentences without a stance label train frames only."""
    feat = SentenceFeaturizer(
        lexicons=lexicons,
        ngram_range=tuple(params["ngram_range"]),
        min_df=params["min_df"],
        lexicon_weight=params["lexicon_weight"],
    ).fit(texts)
    X_sparse = feat.transform(texts)
    X = with_encoder(X_sparse, encoder, texts)
    fh = MultiLabelLogit(C=params["C_frame"], random_state=params["random_state"]).fit(X, frames)
    encoder_stance = bool(params.get("encoder_stance"))
    if not encoder_stance:
        X = X_sparse  # cross-validation: encoder features help frames, hurt stance
    has = np.asarray([s is not None for s in stance])
    sh = MultiLabelLogit(C=params["C_stance"], random_state=params["random_state"]).fit(
        X[has], stance[has].astype(str)
    )
    return SentenceModel(feat, fh, sh, encoder, encoder_stance)


def stance_article_data(
    corpus: Corpus, table: SentenceTable, stance_proba: np.ndarray, alias: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Aggregator input per corpus article (from sentence stance probabilities) and its gold stance."""
    feats, labels = [], []
    for i, a in enumerate(corpus.articles):
        m = table.article == i
        feats.append(stance_article_features(stance_proba[m], alias[m].sum(), table.lede[m]))
        labels.append(a.stance)
    return np.vstack(feats), np.asarray(labels, dtype=object)


def fit_stance_aggregator(X: np.ndarray, labels: np.ndarray, params: Mapping[str, Any]) -> Pipeline:
    """Fit the article stance aggregator on the articles that have a stance label."""
    has = np.asarray([lbl is not None for lbl in labels])
    with training_threads():  # a fixed BLAS thread count, as for the sentence heads
        return make_stance_aggregator(params["random_state"], params["stance_class_weight"]).fit(
            X[has], labels[has].astype(str)
        )
