"""The on-disk model cache: one joblib file per model version, written atomically.

The file name is the model version (``classifiers.build.model_version``), so a new codebook,
corpus, code version or parameter set trains a new model instead of loading a stale one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import joblib

from classifiers.build import model_version, train
from classifiers.classifier import ArticleClassifier
from classifiers.codebook import Codebook
from classifiers.corpus import CORPUS_DIR, Corpus, load_corpus
from classifiers.params import resolve_params


def model_path(
    codebook: Codebook, corpus: Corpus, cache_dir: Path | str, params: Mapping[str, Any] | None = None
) -> Path:
    """Where the model for this codebook, corpus, code and parameters is (or would be) cached."""
    return Path(cache_dir) / f"{model_version(codebook, corpus, resolve_params(params))}.joblib"


def load_or_train(
    codebook: Codebook,
    cache_dir: Path | str,
    *,
    corpus_dir: Path | str = CORPUS_DIR,
    params: Mapping[str, Any] | None = None,
) -> ArticleClassifier:
    """Load the cached model for this codebook + corpus + code, training (and caching) it if absent."""
    corpus = load_corpus(codebook, corpus_dir)
    full = resolve_params(params)
    path = model_path(codebook, corpus, cache_dir, full)
    if path.is_file():
        try:
            return joblib.load(path)
        except Exception:  # noqa: BLE001 - a corrupt cache file is retrained, not fatal
            path.unlink(missing_ok=True)
    model = train(codebook, corpus, full)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    joblib.dump(model, tmp, compress=3)
    os.replace(tmp, path)
    path.with_suffix(".manifest.json").write_text(json.dumps(model.manifest, indent=2))
    return model
