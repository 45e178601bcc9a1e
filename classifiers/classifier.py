"""ArticleClassifier: the trained frame and stance models behind one ``classify`` call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

import numpy as np

from classifiers.article import (
    STANCE_ORDER,
    ArticleClassification,
    ModelRef,
    build_result,
    flatten,
    own_voice,
    prepare_article,
    stance_article_features,
)
from classifiers.codebook import Codebook


class ArticleClassifier:
    """Frames, stance and evidence for whole articles, from fitted sentence-level estimators.

    Built by ``classifiers.training.train`` (or ``load_or_train``); holds no global state, so
    one instance can be shared read-only by a worker. Batches are featurised in one pass:
    all sentences of all articles go through the vectoriser and the heads together.
    """

    def __init__(
        self,
        *,
        codebook: Codebook,
        featurizer,
        frame_head,
        stance_head,
        stance_article,
        thresholds: np.ndarray,
        target: str,
        version: str,
        manifest: dict,
        primary_ratio: float = 0.0,
        attribution_discount: float = 0.0,
        encoder=None,
        encoder_stance: bool = False,
    ):
        self.codebook = codebook
        self.featurizer = featurizer
        self.frame_head = frame_head
        self.stance_head = stance_head
        self.stance_article = stance_article
        self.primary_ratio = primary_ratio
        self.attribution_discount = attribution_discount
        self.encoder = encoder
        self.encoder_stance = encoder_stance
        self.thresholds = np.asarray(thresholds, dtype=float)
        self.target = target
        self.version = version
        self.manifest = manifest
        names = featurizer.lexicon_names_
        self._alias_col = names.index("target:alias")
        self._attr_col = names.index("attribution")
        order = [list(stance_head.classes_).index(lbl) for lbl in STANCE_ORDER]
        self._stance_cols = np.asarray(order)
        self._article_cols = [list(stance_article.classes_).index(lbl) for lbl in STANCE_ORDER]

    @property
    def model_ref(self) -> ModelRef:
        return ModelRef(self.version, self.codebook.key, self.codebook.hash)

    @property
    def model_info(self) -> dict:
        return asdict(self.model_ref)

    def info(self) -> dict:
        """Manifest summary for ``GET /v1/models``."""
        m = self.manifest
        return {
            **self.model_info,
            "target": self.target,
            "trained_at": m.get("trained_at"),
            "corpus_hash": m.get("corpus_hash"),
            "sklearn_version": m.get("sklearn_version"),
            "metrics": m.get("metrics_summary", {}),
        }

    def classify(self, title: str, text: str, target: str | None = None) -> ArticleClassification:
        """Classify one article (see ``classify_many``)."""
        return self.classify_many([(title, text, target)])[0]

    def sentence_probabilities(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Frame probabilities, stance probabilities (favor, against, neutral) and target mentions."""
        counts = self.featurizer.transform_counts(texts)
        sparse = self.featurizer.features_from_counts(counts)
        feats = sparse
        if self.encoder is not None:
            from classifiers.cv import with_encoder

            feats = with_encoder(sparse, self.encoder, texts)
        frame = self.frame_head.predict_proba(feats)
        stance = self.stance_head.predict_proba(feats if self.encoder_stance else sparse)[
            :, self._stance_cols
        ]
        lex = self.featurizer.lexicon_matrix_[:, [self._alias_col, self._attr_col]]
        hits = np.asarray((counts @ lex).todense())
        stance = own_voice(stance, hits[:, 1] > 0, self.attribution_discount)
        return frame, stance, hits[:, 0]

    def classify_many(self, items: Sequence[tuple[str, str, str | None]]) -> list[ArticleClassification]:
        """Classify a batch of ``(title, text, target)``; unusable texts get a status, not an error.

        Raises
        ------
        UnknownTargetError
            When a target is not defined in the codebook.
        """
        targets = []
        for _, _, target in items:
            key = target or self.target
            self.codebook.target(key)  # raises UnknownTargetError for unknown keys
            targets.append(key)
        prepared = [prepare_article(title, text) for title, text, _ in items]
        texts, bounds = flatten(prepared)
        n_frames = len(self.codebook.frames)
        if texts:
            frame, stance, alias = self.sentence_probabilities(texts)
        else:
            frame, stance, alias = np.zeros((0, n_frames)), np.zeros((0, 3)), np.zeros(0)
        ok = [i for i, p in enumerate(prepared) if p.status == "ok"]
        feats = [
            stance_article_features(
                stance[bounds[i] : bounds[i + 1]], alias[bounds[i] : bounds[i + 1]].sum(), prepared[i].lede
            )
            for i in ok
        ]
        art_proba = self.stance_article.predict_proba(np.vstack(feats))[:, self._article_cols] if ok else None
        row_of = {i: r for r, i in enumerate(ok)}
        out = []
        for i, ((title, text, _), prep) in enumerate(zip(items, prepared, strict=True)):
            sl = slice(bounds[i], bounds[i + 1])
            label, scores = None, {k: 0.0 for k in STANCE_ORDER}
            if i in row_of and targets[i] == self.target:
                probs = art_proba[row_of[i]]
                scores = {k: float(p) for k, p in zip(STANCE_ORDER, probs, strict=True)}
                if alias[sl].sum() > 0:  # the article concerns the target at all
                    label = STANCE_ORDER[int(np.argmax(probs))]
            out.append(
                build_result(
                    self.codebook,
                    prep,
                    title,
                    text,
                    frame[sl],
                    self.thresholds,
                    stance[sl],
                    label,
                    scores,
                    targets[i],
                    self.model_ref,
                    self.primary_ratio,
                )
            )
        return out
