"""ArticleClassifier: the fitted frame and stance models behind one ``classify`` call (inference only).

Fitting the parts is classifiers.training, choosing thresholds is classifiers.cv, and
classifiers.build puts them together; this module imports none of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from classifiers.article import (
    ArticleClassification,
    ModelRef,
    _Prepared,
    build_result,
    flatten,
    prepare_article,
    stance_article_features,
)
from classifiers.article_head import ArticleFrameHead, article_evidence
from classifiers.codebook import STANCE_LABELS, Codebook
from classifiers.errors import UntrainedTargetError
from classifiers.features import lexicons_from_codebook
from classifiers.models import pipeline_proba
from classifiers.sentence_model import SentenceModel

#: Articles featurised in one pass by ``classify_many``. Every article's result is independent of
#: the others in its pass; the pass size only trades per-call overhead against the size of the
#: sentence matrices held at once (1,000 articles in one pass peaked at ~60 MiB, freed to the
#: allocator but not always to the system).
BATCH_ARTICLES = 100


@dataclass(frozen=True)
class BatchInputs:
    """A batch's sentence scores (rows of all articles, split at ``bounds``) and article-level inputs.

    ``ok`` are the articles with status ``ok``; ``stance_features`` has one row per ``ok`` article;
    ``evidence`` (``article_head.article_evidence``, one entry per article) is None when not asked
    for or when no article is ``ok``.
    """

    frame: np.ndarray
    stance: np.ndarray
    alias: np.ndarray
    bounds: np.ndarray
    ok: list[int]
    stance_features: np.ndarray | None
    evidence: np.ndarray | None


class ArticleClassifier(BaseEstimator):
    """Frames, stance and evidence for whole articles, from fitted sentence-level parts.

    Parameters
    ----------
    codebook : Codebook
        The frame and target definitions the parts were fitted for.
    target : str, optional
        The stance target of the stance model; None means the codebook's default target.
    primary_ratio : float
        Main-clause rule of the article aggregation (see ``article.counted_proba``).
    attribution_discount : float
        Share of attributed sentences' favor/against probability moved to neutral.

    Notes
    -----
    ``fit`` takes the fitted parts (``classifiers.build.train`` fits them on the corpus and
    chooses the thresholds by cross-validation), checks that they belong to this codebook and
    target, and derives the column orders used at prediction time. The fitted object holds no
    global state, so one instance can be shared read-only by a worker. Batches are featurised in
    one pass: all sentences of all articles go through the vectoriser and the heads together.
    """

    def __init__(
        self,
        *,
        codebook: Codebook | None = None,
        target: str | None = None,
        primary_ratio: float = 0.0,
        attribution_discount: float = 0.0,
    ):
        self.codebook = codebook
        self.target = target
        self.primary_ratio = primary_ratio
        self.attribution_discount = attribution_discount

    def fit(
        self,
        sentence_model: SentenceModel,
        stance_aggregator,
        thresholds: Sequence[float],
        *,
        manifest: Mapping | None = None,
        article_head: ArticleFrameHead | None = None,
    ) -> ArticleClassifier:
        """Adopt fitted parts: sentence model, article stance aggregator, per-frame thresholds.

        With a fitted ``article_head`` a frame's article score is the head's calibrated probability
        and the head's thresholds replace ``thresholds``; without, the hand-set article rule.

        Raises
        ------
        ValueError
            When a part is unfitted, was fitted for another codebook or target, or the
            thresholds do not match the codebook's frames.
        """
        if not isinstance(self.codebook, Codebook):
            raise ValueError(f"codebook must be a Codebook, got {type(self.codebook).__name__}")
        target = self.target or self.codebook.default_target
        if set(self.codebook.target(target).labels) != set(STANCE_LABELS):
            raise ValueError(f"target {target!r} must have the stance labels {STANCE_LABELS}")
        thresholds = np.asarray(thresholds, dtype=float)
        n_frames = len(self.codebook.frames)
        if thresholds.shape != (n_frames,):
            raise ValueError(f"thresholds must have one value per frame ({n_frames}), got {thresholds.shape}")
        for part in (sentence_model.featurizer, sentence_model.frame_head, sentence_model.stance_head):
            check_is_fitted(part)
        check_is_fitted(stance_aggregator)
        if sentence_model.featurizer.lexicons != lexicons_from_codebook(self.codebook, target):
            raise ValueError(f"the sentence model was not fitted with the lexicons of {target!r}")
        if len(sentence_model.frame_head.classes_) != n_frames:
            raise ValueError(f"the frame head scores {len(sentence_model.frame_head.classes_)} frames")
        sentence_model.stance_columns()  # ValueError when the stance head lacks a label
        self.sentence_model_ = sentence_model
        self.stance_aggregator_ = stance_aggregator
        self.article_columns_ = np.asarray([list(stance_aggregator.classes_).index(c) for c in STANCE_LABELS])
        if article_head is not None:
            check_is_fitted(article_head)
            if article_head.n_frames_ != n_frames:
                raise ValueError(f"the article head scores {article_head.n_frames_} frames, not {n_frames}")
            thresholds = article_head.thresholds_
        self.article_head_ = article_head
        self.thresholds_ = thresholds
        self.target_ = target
        self.stance_targets_ = (target,)
        self.manifest_ = dict(manifest or {})
        self.version_ = str(self.manifest_.get("version", "unversioned"))
        return self

    @property
    def version(self) -> str:
        check_is_fitted(self)
        return self.version_

    @property
    def manifest(self) -> dict:
        check_is_fitted(self)
        return self.manifest_

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
            "target": self.target_,
            "trained_at": m.get("trained_at"),
            "corpus_hash": m.get("corpus_hash"),
            "sklearn_version": m.get("sklearn_version"),
            "metrics": m.get("metrics_summary", {}),
        }

    def stance_target(self, target: str | None) -> str:
        """The target a request asks for, checked against the codebook and the fitted stance models.

        Raises
        ------
        UnknownTargetError
            When the codebook does not define ``target``.
        UntrainedTargetError
            When the codebook defines it, but this model has no stance model for it.
        """
        check_is_fitted(self)
        key = target or self.target_
        self.codebook.target(key)
        if key not in self.stance_targets_:
            raise UntrainedTargetError(
                f"model {self.version_} has no stance model for target {key!r}; "
                f"it has one for: {', '.join(self.stance_targets_)}"
            )
        return key

    def article_inputs(self, prepared: Sequence[_Prepared], *, evidence: bool = True) -> BatchInputs:
        """Sentence scores of prepared articles in one pass, and the article-level inputs built from them.

        ``classify_many`` and adaptation (``classifiers.adaptation``) both read these, so a model
        re-fitted on coded articles sees exactly the inputs it is later applied to.
        """
        texts, bounds = flatten(prepared)
        if texts:
            scores = self.sentence_model_.scores(texts, self.attribution_discount)
            frame, stance, alias = scores.frame, scores.stance, scores.alias
        else:
            n_frames = len(self.codebook.frames)
            frame, stance, alias = np.zeros((0, n_frames)), np.zeros((0, len(STANCE_LABELS))), np.zeros(0)
        ok = [i for i, p in enumerate(prepared) if p.status == "ok"]
        stance_features = evidence_matrix = None
        if ok:
            stance_features = np.vstack(
                [
                    stance_article_features(
                        stance[bounds[i] : bounds[i + 1]],
                        alias[bounds[i] : bounds[i + 1]].sum(),
                        prepared[i].lede,
                    )
                    for i in ok
                ]
            )
            if evidence:
                title = np.concatenate([[fname == "title" for _, _, fname in p.spans] for p in prepared])
                lede = np.concatenate([p.lede for p in prepared])
                evidence_matrix = article_evidence(frame, bounds, lede, title.astype(bool))
        return BatchInputs(frame, stance, alias, bounds, ok, stance_features, evidence_matrix)

    def classify(self, title: str, text: str, target: str | None = None) -> ArticleClassification:
        """Classify one article (see ``classify_many``)."""
        return self.classify_many([(title, text, target)])[0]

    def classify_many(self, items: Sequence[tuple[str, str, str | None]]) -> list[ArticleClassification]:
        """Classify a batch of ``(title, text, target)``; unusable texts get a status, not an error.

        Raises
        ------
        UnknownTargetError, UntrainedTargetError
            See ``stance_target``; raised before any article is classified.
        """
        targets = [self.stance_target(target) for _, _, target in items]
        out: list[ArticleClassification] = []
        for start in range(0, len(items), BATCH_ARTICLES):
            end = start + BATCH_ARTICLES
            out += self._classify_batch(items[start:end], targets[start:end])
        return out

    def _classify_batch(
        self, items: Sequence[tuple[str, str, str | None]], targets: Sequence[str]
    ) -> list[ArticleClassification]:
        """``classify_many`` for at most ``BATCH_ARTICLES`` articles: one featurisation pass."""
        prepared = [prepare_article(title, text) for title, text, _ in items]
        head = getattr(self, "article_head_", None)
        batch = self.article_inputs(prepared, evidence=head is not None)
        frame, stance, alias, bounds, ok = batch.frame, batch.stance, batch.alias, batch.bounds, batch.ok
        article_proba = (
            pipeline_proba(self.stance_aggregator_, batch.stance_features)[:, self.article_columns_]
            if ok
            else None
        )
        frame_article = None if batch.evidence is None else head.predict_proba(batch.evidence)
        row_of = {i: r for r, i in enumerate(ok)}
        out = []
        for i, ((title, text, _), prep) in enumerate(zip(items, prepared, strict=True)):
            sl = slice(bounds[i], bounds[i + 1])
            label, probs = None, {k: 0.0 for k in STANCE_LABELS}
            if i in row_of:
                row = article_proba[row_of[i]]
                probs = {k: float(p) for k, p in zip(STANCE_LABELS, row, strict=True)}
                if alias[sl].sum() > 0:  # the article concerns the target at all
                    label = STANCE_LABELS[int(np.argmax(row))]
            out.append(
                build_result(
                    self.codebook,
                    prep,
                    title,
                    text,
                    frame[sl],
                    self.thresholds_,
                    stance[sl],
                    label,
                    probs,
                    targets[i],
                    self.model_ref,
                    self.primary_ratio,
                    None if frame_article is None or i not in row_of else frame_article[i],
                )
            )
        return out
