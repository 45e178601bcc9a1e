"""The classifier behind the API and its codebooks: loaded once per worker by ``create_app``, then read-only.

Loading trains the model the first time a codebook + corpus + code combination is seen and caches it
under ``MODEL_CACHE_DIR`` (``classifiers.load_or_train`` writes the cache file with tmp + rename, so
readers never see half a file). Several gunicorn workers starting together would all train at once;
an exclusive file lock around the load makes the first one train and the others wait and then read
its cache file.
"""

from __future__ import annotations

import fcntl
import logging
import time
from pathlib import Path

from flask import Flask, current_app

from classifiers import ArticleClassifier, Codebook, UnknownCodebookError, load_codebook, load_or_train
from classifiers.codebook import CODEBOOK_DIR
from classifiers.text import use_language_cache
from service.model_registry import served_model
from service.storage.errors import NotFoundError

log = logging.getLogger("framescope.model")


def load_model(codebook_key: str, cache_dir: Path | str) -> ArticleClassifier:
    """Load (or train once and cache) the classifier for ``codebook_key``, serialised by a file lock."""
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with open(cache_dir / f".{codebook_key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if the process dies
        try:
            model = load_or_train(load_codebook(codebook_key), cache_dir)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    log.info(
        "model loaded",
        extra={"model_version": model.version, "seconds": round(time.perf_counter() - started, 2)},
    )
    return model


def init_app(app: Flask) -> None:
    """Put the classifier in ``app.extensions["framescope"]["model"]`` and register the ready check.

    ``MODEL`` in the config (an ``ArticleClassifier``) is used as is: tests train once per session
    and hand the same read-only object to every app.
    """
    state = app.extensions.setdefault("framescope", {})
    model = app.config.get("MODEL")
    cache_dir = app.config.get("MODEL_CACHE_DIR") or Path(app.instance_path) / "models"
    use_language_cache(cache_dir)  # py3langid's tables are unpacked there and mapped by every worker
    if model is None:
        model = load_model(app.config["CODEBOOK"], cache_dir)
    state["model"] = model
    state.setdefault("ready_checks", {})["model"] = lambda: state.get("model") is not None


def get_model(version: str | None = None) -> ArticleClassifier:
    """The model serving the app's codebook (the activated one, else the shipped one), or ``version``.

    Unknown versions are a 404 (``service.model_registry``); activation is cached a few seconds.
    """
    return served_model(version)


def get_codebook(key: str) -> Codebook:
    """A codebook by key (the served one if it matches); unknown keys are a 404, not a 422."""
    served = current_app.extensions["framescope"]["model"].codebook
    if key == served.key:
        return served
    try:
        return load_codebook(key)
    except UnknownCodebookError as exc:
        raise NotFoundError(f"No codebook {key!r}; available: {', '.join(codebook_keys())}.") from exc


def codebook_keys() -> list[str]:
    """Keys of the codebooks shipped in fixtures/codebooks."""
    return sorted(p.stem for p in CODEBOOK_DIR.glob("*.yaml"))
