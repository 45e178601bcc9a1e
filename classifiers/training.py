"""Training and the on-disk model cache (cross-validation lives in classifiers.cv).

Everything is seeded: the same codebook, corpus and code give the same model, and the cache
key is a hash of exactly those three things (plus the scikit-learn version and parameters).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import joblib
import numpy as np
import sklearn

from classifiers.classifier import ArticleClassifier
from classifiers.codebook import Codebook
from classifiers.corpus import CORPUS_DIR, Corpus, load_corpus
from classifiers.cv import (  # noqa: F401 (re-exported for notebooks and scripts)
    DEFAULT_PARAMS,
    THRESHOLD_GRID,
    SentenceTable,
    _fit_heads,
    _stance_article_data,
    _stance_article_model,
    cross_validate,
    cv_metrics,
    sentence_table,
    with_encoder,
)
from classifiers.features import lexicons_from_codebook

CODE_VERSION = "1"


def model_key(codebook: Codebook, corpus: Corpus, params: dict) -> str:
    payload = json.dumps(
        [
            codebook.hash,
            corpus.hash,
            CODE_VERSION,
            sklearn.__version__,
            {k: list(v) if isinstance(v, tuple) else v for k, v in sorted(params.items())},
        ]
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


def train(
    codebook: Codebook,
    corpus: Corpus | None = None,
    params: dict | None = None,
    *,
    now: datetime | None = None,
) -> ArticleClassifier:
    """Cross-validate (for thresholds, the stance aggregator and metrics), then fit on everything."""
    t0 = time.perf_counter()
    corpus = corpus or load_corpus(codebook)
    params = {**DEFAULT_PARAMS, **(params or {})}
    cv = cross_validate(corpus, codebook, params)
    metrics, thresholds = cv_metrics(corpus, codebook, cv)
    table = cv["table"]
    feat, fh, sh = _fit_heads(
        table.texts, table.frames, table.stance, lexicons_from_codebook(codebook), params, cv["encoder"]
    )
    X, labels = _stance_article_data(corpus, table, cv["stance"], cv["alias"])
    has = np.asarray([lbl is not None for lbl in labels])
    stance_article = _stance_article_model(params["random_state"], params["stance_class_weight"]).fit(
        X[has], labels[has].astype(str)
    )
    key = model_key(codebook, corpus, params)
    manifest = {
        "version": f"{codebook.key}-{params.get('encoder') or 'sparse'}-{key}",
        "codebook": codebook.key,
        "codebook_hash": codebook.hash,
        "corpus_hash": corpus.hash,
        "corpus_files": list(corpus.files),
        "corpus_problems": list(corpus.problems),
        "n_articles": len(corpus.articles),
        "n_sentences": len(table.texts),
        "code_version": CODE_VERSION,
        "sklearn_version": sklearn.__version__,
        "params": {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()},
        "trained_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "metrics": metrics,
        "metrics_summary": {
            "cv_article_frame_macro_f1": round(metrics["article_frame_macro_f1"], 4),
            "cv_article_stance_macro_f1": round(metrics["article_stance_macro_f1"], 4),
            "cv_dominant_accuracy": round(metrics["dominant_accuracy"], 4),
        },
        "train_seconds": round(time.perf_counter() - t0, 2),
    }
    return ArticleClassifier(
        codebook=codebook,
        featurizer=feat,
        frame_head=fh,
        stance_head=sh,
        stance_article=stance_article,
        thresholds=thresholds,
        target=codebook.default_target,
        version=manifest["version"],
        manifest=manifest,
        encoder=cv["encoder"],
        encoder_stance=params["encoder_stance"],
        primary_ratio=params["primary_ratio"],
        attribution_discount=params["attribution_discount"],
    )


def load_or_train(
    codebook: Codebook,
    cache_dir: Path | str,
    *,
    corpus_dir: Path | str = CORPUS_DIR,
    params: dict | None = None,
) -> ArticleClassifier:
    """Load the cached model for this codebook + corpus + code, training (and caching) it if absent."""
    corpus = load_corpus(codebook, corpus_dir)
    full = {**DEFAULT_PARAMS, **(params or {})}
    cache_dir = Path(cache_dir)
    kind = full.get("encoder") or "sparse"
    path = cache_dir / f"{codebook.key}-{kind}-{model_key(codebook, corpus, full)}.joblib"
    if path.is_file():
        try:
            return joblib.load(path)
        except Exception:  # noqa: BLE001 - a corrupt cache file is retrained, not fatal
            path.unlink(missing_ok=True)
    model = train(codebook, corpus, full)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    joblib.dump(model, tmp, compress=3)
    os.replace(tmp, path)
    path.with_suffix(".manifest.json").write_text(json.dumps(model.manifest, indent=2))
    return model
