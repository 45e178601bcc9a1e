"""The classifier behind the API: loaded once per worker by ``create_app``, then shared read-only.

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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from classifiers import ArticleClassifier, Codebook, UnknownCodebookError, load_codebook, load_or_train
from classifiers.codebook import CODEBOOK_DIR
from service.metrics import count_classifications
from service.storage.classifications import (
    classification_summaries,
    store_classifications,
    unclassified_articles,
)
from service.storage.errors import NotFoundError

log = logging.getLogger("framescope.model")


class TextTooLargeError(ValueError):
    """Text to classify is over ``MAX_TEXT_CHARS`` (or a request over ``MAX_CLASSIFY_CHARS``): 413."""

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.errors = errors


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
    if model is None:
        cache_dir = app.config.get("MODEL_CACHE_DIR") or Path(app.instance_path) / "models"
        model = load_model(app.config["CODEBOOK"], cache_dir)
    state["model"] = model
    state.setdefault("ready_checks", {})["model"] = lambda: state.get("model") is not None
    app.cli.add_command(classify_command)


def get_codebook(key: str) -> Codebook:
    """A codebook by key (the served one if it matches); unknown keys are a 404, not a 422."""
    served = get_model().codebook
    if key == served.key:
        return served
    try:
        return load_codebook(key)
    except UnknownCodebookError as exc:
        raise NotFoundError(f"No codebook {key!r}; available: {', '.join(codebook_keys())}.") from exc


def codebook_keys() -> list[str]:
    """Keys of the codebooks shipped in fixtures/codebooks."""
    return sorted(p.stem for p in CODEBOOK_DIR.glob("*.yaml"))


def get_model() -> ArticleClassifier:
    """The current app's classifier."""
    return current_app.extensions["framescope"]["model"]


def check_text_sizes(items: Sequence[dict[str, Any]]) -> None:
    """Refuse oversized input before any work is done (413 naming the limit and the article).

    Classification is linear in text length (~0.6 s per million characters on this machine), so the
    limits bound the time one request can take.
    """
    per_text = int(current_app.config["MAX_TEXT_CHARS"])
    total_limit = int(current_app.config["MAX_CLASSIFY_CHARS"])
    errors = [
        {
            "index": i,
            "field": "text",
            "pointer": f"/{i}/text",
            "detail": f"{len(item['text'])} characters; at most {per_text} "
            "(limit FRAMESCOPE_MAX_TEXT_CHARS).",
        }
        for i, item in enumerate(items)
        if len(item["text"]) > per_text
    ]
    if errors:
        raise TextTooLargeError(
            f"{len(errors)} text(s) over the {per_text}-character limit (FRAMESCOPE_MAX_TEXT_CHARS).", errors
        )
    total = sum(len(item["text"]) + len(item.get("title") or "") for item in items)
    if total > total_limit:
        raise TextTooLargeError(
            f"The request has {total} characters of text; at most {total_limit} per request "
            "(limit FRAMESCOPE_MAX_CLASSIFY_CHARS). Split it into several requests.",
            [{"field": "text", "pointer": "/", "detail": f"{total} > {total_limit} characters"}],
        )


def classify_items(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Classify ``{title, text, target}`` dicts in one batch; results as ``to_dict()`` dicts, in order."""
    check_text_sizes(items)
    results = classify_counted(
        get_model(), [(item.get("title") or "", item["text"], item.get("target")) for item in items]
    )
    return [r.to_dict() for r in results]


def classify_counted(model: ArticleClassifier, triples: Sequence[tuple[str, str, str | None]]) -> list:
    """``model.classify_many`` plus the Prometheus count by status, so /metrics sees every path."""
    results = model.classify_many(triples)
    count_classifications(model.version, [r.status for r in results])
    return results


def classify_stored_articles(
    session: Session,
    model: ArticleClassifier,
    article_ids: Sequence[int] | None = None,
    *,
    chunk_size: int = 1000,
) -> int:
    """Classify stored articles that have no result from ``model`` yet and store the results.

    ``article_ids`` limits the work to those articles (ingest); ``None`` means every stored article
    (the ``flask classify --missing`` command). Runs in the caller's transaction; returns how many
    results were stored. Articles are classified in chunks so memory stays flat on large stores.
    """
    pending = unclassified_articles(session, model.version, article_ids)
    n_stored = 0
    for start in range(0, len(pending), chunk_size):
        chunk = pending[start : start + chunk_size]
        results = classify_counted(model, [(title, text, None) for _, title, text in chunk])
        n_stored += store_classifications(
            session, [(aid, r.to_dict()) for (aid, _, _), r in zip(chunk, results, strict=True)]
        )
    return n_stored


def attach_classifications(session: Session, articles: Sequence[Any]) -> None:
    """Set ``article.classification`` (summary by the served model, or None) for article responses."""
    summaries = classification_summaries(session, [a.id for a in articles], get_model().version)
    for article in articles:
        article.classification = summaries.get(article.id)


@click.command("classify")
@click.option(
    "--missing", is_flag=True, required=True, help="Classify articles with no result from the served model."
)
@click.option("--chunk-size", default=1000, show_default=True, help="Articles per transaction.")
@with_appcontext
def classify_command(missing: bool, chunk_size: int) -> None:
    """Classify stored articles with the served model (e.g. after a model update); resumable.

    Each chunk is committed on its own, so an interrupted run keeps its progress and a rerun picks
    up where it stopped. Results of older model versions stay stored (comparisons choose a version).
    """
    model = get_model()
    factory = current_app.extensions["framescope"]["write_sessionmaker"]
    n_total = 0
    while True:
        with factory() as session:
            pending = unclassified_articles(session, model.version, limit=chunk_size)
            if not pending:
                break
            n_new = classify_stored_articles(session, model, [aid for aid, _, _ in pending])
            session.commit()
        if not n_new:  # pragma: no cover - nothing could be stored; do not loop forever
            break
        n_total += n_new
        click.echo(f"{n_total} article(s) classified", err=True)
    click.echo(f"classified {n_total} article(s) with {model.version}")
