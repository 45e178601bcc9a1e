"""Classifying with the served model: request size checks, classify, store, attach to articles.

Everything here passes ``classifiers.ArticleClassification`` objects along: the classifier returns
them, storage takes and gives them back, and the marshmallow schemas dump them (rounding there).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from classifiers import ArticleClassification, ArticleClassifier
from service.classifier_registry import get_model
from service.memory import one_large_batch
from service.metrics import count_classifications
from service.storage.articles import IngestResult, ingest_articles
from service.storage.classifications import (
    read_classifications,
    store_classifications,
    unclassified_articles,
)
from service.storage.classified_rows import stored_version
from service.storage.errors import InvalidItemsError, NotFoundError
from service.storage.signatures import sign_articles


class TextTooLargeError(ValueError):
    """A request carries more text in total than ``MAX_CLASSIFY_CHARS``: 413."""

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.errors = errors


def check_total_text(items: Sequence[Mapping[str, Any]]) -> None:
    """Refuse a request over ``MAX_CLASSIFY_CHARS`` before any work is done (413 naming the limit).

    Classification is linear in text length (~0.6 s per million characters on this machine), so the
    limit bounds the time one request can take. Each text on its own is bounded by
    ``MAX_TEXT_CHARS``, checked by the request schemas (422 naming the field, as on ingest).
    """
    limit = int(current_app.config["MAX_CLASSIFY_CHARS"])
    total = sum(len(item["text"]) + len(item.get("title") or "") for item in items)
    if total > limit:
        raise TextTooLargeError(
            f"The request has {total} characters of text; at most {limit} per request "
            "(limit FRAMESCOPE_MAX_CLASSIFY_CHARS). Split it into several requests.",
            [{"field": "text", "pointer": "/", "detail": f"{total} > {limit} characters"}],
        )


def classify_items(
    items: Sequence[Mapping[str, Any]], model_version: str | None = None
) -> list[ArticleClassification]:
    """Classify ``{title, text, target}`` dicts in one batch, in order, with the served model or a version.

    An unknown ``model_version`` is a 422 naming the ``model`` query parameter.
    """
    check_total_text(items)
    try:
        model = get_model(model_version)
    except NotFoundError as exc:
        raise InvalidItemsError(
            [{"field": "model", "location": "query", "detail": str(exc)}], str(exc)
        ) from exc
    triples = [(item.get("title") or "", item["text"], item.get("target")) for item in items]
    return classify_counted(model, triples)


def classify_counted(
    model: ArticleClassifier, triples: Sequence[tuple[str, str, str | None]]
) -> list[ArticleClassification]:
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
            session, [(aid, result) for (aid, _, _), result in zip(chunk, results, strict=True)]
        )
    return n_stored


def store_and_classify(
    session: Session, items: Sequence[Mapping[str, Any]], *, create_missing: bool = False
) -> IngestResult:
    """Store validated articles (deduplicated), label the new ones, sign them for syndication.

    What ``POST /v1/articles[/batch]`` and import jobs do with articles, in the caller's transaction.
    Syndication signatures are skipped when ``SYNDICATION_AT_INGEST`` is off (bulk loads).
    """
    with one_large_batch(len(items)):
        result = ingest_articles(session, items, create_missing=create_missing)
        classify_stored_articles(session, get_model(), result.ids)
        if current_app.config["SYNDICATION_AT_INGEST"]:
            sign_articles(session, result.ids)
    return result


def check_stored_frame(session: Session, model_version: str, frame: str | None) -> None:
    """A ``frame`` filter must name a frame ``model_version`` labelled with (422 naming ``frame``).

    The served model's frames are checked by the query schema; an older stored version may have
    labelled with other frames, and its stored rows say which. A version with no stored rows
    matches nothing, whatever the frame.
    """
    if frame is None:
        return
    served = get_model()
    if model_version == served.version:
        keys: Sequence[str] = served.codebook.frame_keys
    else:
        stored = stored_version(session, model_version)
        keys = stored.frame_keys if stored is not None else (frame,)
    if frame not in keys:
        detail = f"Unknown frame {frame!r} for model {model_version}; allowed: {', '.join(keys)}."
        raise InvalidItemsError([{"field": "frame", "location": "query", "detail": detail}], detail)


def attach_classifications(
    session: Session, articles: Sequence[Any], model_version: str | None = None
) -> None:
    """Set ``article.classification``: its stored result by ``model_version`` (default: the served model)."""
    model = get_model()
    labels = {f.key: f.label for f in model.codebook.frames}
    stored = read_classifications(
        session, [a.id for a in articles], model_version or model.version, frame_labels=labels
    )
    for article in articles:
        article.classification = stored.get(article.id)
