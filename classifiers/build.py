"""Training the served model: cross-validate, fit every part on the whole corpus, assemble.

Cross-validation (grouped by event) chooses the article thresholds and gives the metrics and
the out-of-fold sentence stance the aggregator is trained on; the sentence heads are then fitted
on all sentences. Everything is seeded: the same codebook, corpus, code and parameters give the
same model, and ``model_key`` hashes exactly those things into the model version.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np
import sklearn

from classifiers.article_head import ArticleFrameHead, corpus_evidence
from classifiers.classifier import ArticleClassifier
from classifiers.codebook import Codebook
from classifiers.corpus import Corpus, load_corpus
from classifiers.cv import cross_validate, cv_metrics, head_excerpts
from classifiers.environment import numeric_environment
from classifiers.features import lexicons_from_codebook
from classifiers.params import json_params, resolve_params
from classifiers.training import fit_sentence_model, fit_stance_aggregator, stance_article_data

#: Bump when a code change alters what training produces or how a model is pickled
#: (2: ArticleClassifier became an estimator with learned state ending in ``_``; 3: learned article
#: head, spelling variants merged in the featuriser, language identification).
CODE_VERSION = "3"


def model_key(codebook: Codebook, corpus: Corpus, params: Mapping[str, Any]) -> str:
    """12 hex digits of sha256 over codebook hash, corpus hash, code and sklearn versions, parameters."""
    payload = json.dumps(
        [
            codebook.hash,
            corpus.hash,
            CODE_VERSION,
            sklearn.__version__,
            dict(sorted(_keyed(json_params(params)).items())),
        ]
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


def _keyed(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` without the excerpt options while they are off, so adding them kept old versions."""
    if params.get("article_head_excerpts"):
        return params
    return {k: v for k, v in params.items() if not k.startswith("article_head_excerpt")}


def model_version(codebook: Codebook, corpus: Corpus, params: Mapping[str, Any]) -> str:
    """``<codebook>-<sparse|encoder>-<model_key>``: the name of the model and of its cache file."""
    return f"{codebook.key}-{params.get('encoder') or 'sparse'}-{model_key(codebook, corpus, params)}"


def train(
    codebook: Codebook,
    corpus: Corpus | None = None,
    params: Mapping[str, Any] | None = None,
    *,
    now: datetime | None = None,
) -> ArticleClassifier:
    """Cross-validate (for thresholds, the stance aggregator and metrics), then fit on everything."""
    t0 = time.perf_counter()
    corpus = corpus or load_corpus(codebook)
    params = resolve_params(params)
    cv = cross_validate(corpus, codebook, params)
    metrics, thresholds = cv_metrics(corpus, codebook, cv)
    table = cv["table"]
    sentence_model = fit_sentence_model(
        table.texts, table.frames, table.stance, lexicons_from_codebook(codebook), params, cv["encoder"]
    )
    X, labels = stance_article_data(corpus, table, cv["stance"], cv["alias"])
    aggregator = fit_stance_aggregator(X, labels, params)
    article_head = None
    if params.get(
        "article_head_C"
    ):  # fitted on out-of-fold sentence probabilities: calibrated on unseen events
        gold = np.asarray([[k in a.frames for k in codebook.frame_keys] for a in corpus.articles], dtype=int)
        X_art = corpus_evidence(table, len(corpus.articles), cv["frame"])
        ex = head_excerpts(table, len(corpus.articles), cv["frame"], params)
        if ex is not None:  # excerpts of the corpus articles, from the same out-of-fold probabilities
            X_art, gold = np.concatenate([X_art, ex[0]]), np.concatenate([gold, ex[1]])
        article_head = ArticleFrameHead(C=params["article_head_C"]).fit(X_art, gold)
    manifest = {
        "version": model_version(codebook, corpus, params),
        "codebook": codebook.key,
        "codebook_hash": codebook.hash,
        "corpus_hash": corpus.hash,
        "corpus_files": list(corpus.files),
        "corpus_problems": list(corpus.problems),
        "n_articles": len(corpus.articles),
        "n_sentences": len(table.texts),
        "code_version": CODE_VERSION,
        "sklearn_version": sklearn.__version__,
        # what the version cannot name: the same bits need the same libraries and BLAS kernel
        "environment": numeric_environment(),
        "params": json_params(params),
        "trained_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "metrics": metrics,
        "metrics_summary": {
            "cv_article_frame_macro_f1": round(metrics["article_frame_macro_f1"], 4),
            "cv_article_stance_macro_f1": round(metrics["article_stance_macro_f1"], 4),
            "cv_dominant_accuracy": round(metrics["dominant_accuracy"], 4),
        },
        "train_seconds": round(time.perf_counter() - t0, 2),
    }
    classifier = ArticleClassifier(
        codebook=codebook,
        target=codebook.default_target,
        primary_ratio=params["primary_ratio"],
        attribution_discount=params["attribution_discount"],
    )
    return classifier.fit(
        sentence_model, aggregator, thresholds, manifest=manifest, article_head=article_head
    )
