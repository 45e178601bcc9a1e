"""/v1/articles: ingest (one or a batch), read back, filter, correct, delete."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, stream_with_context, url_for
from flask.views import MethodView
from sqlalchemy.orm import Session

from service.classifier_registry import get_model
from service.classifying import attach_classifications, classify_stored_articles, store_and_classify
from service.exporting import MEDIA_TYPES, export_filename, export_filters, stream_export
from service.parsing import UploadBlueprint
from service.resources.common import page_body, pop_page_args
from service.schemas.articles import (
    ARTICLE_EXAMPLE,
    BATCH_EXAMPLE,
    CSV_EXAMPLE,
    ArticleBatchSchema,
    ArticleCreateSchema,
    ArticleExportArgsSchema,
    ArticleListArgsSchema,
    ArticlePageSchema,
    ArticleSchema,
    ArticleUpdateSchema,
    BatchResultSchema,
    IngestArgsSchema,
)
from service.schemas.common import PROBLEM
from service.storage import articles as dao
from service.storage.classifications import delete_classifications
from service.storage.db import get_session
from service.storage.signatures import forget_signature, sign_articles

blp = UploadBlueprint(  # batches may come as CSV, as researchers' collections do
    "articles",
    __name__,
    url_prefix="/v1/articles",
    description="News articles. The same URL, or the same normalised text in one outlet, "
    "is stored once; re-posting returns the stored article. Every stored article is classified "
    "by the served model in the same transaction (see `classification`).",
)

_NDJSON_DOC = {
    "requestBody": {
        "content": {
            "application/x-ndjson": {
                "schema": {
                    "type": "string",
                    "description": "One article object (as in the JSON array) per line.",
                }
            },
            "text/csv": {
                "schema": {
                    "type": "string",
                    "description": "A header line of article field names (`outlet,title,published_at,text`, "
                    "...), one article per row; empty cells are left out (e.g. no title).",
                },
                "example": CSV_EXAMPLE,
            },
        }
    }
}


@blp.route("")
class Articles(MethodView):
    @blp.arguments(ArticleListArgsSchema, location="query")
    @blp.response(200, ArticlePageSchema)
    def get(self, args: dict[str, Any]):
        """List articles, filtered by outlet, event, language, publication time, frame and stance

        `frame`, `stance` and `target` filter on stored classifications by `model_version` (default:
        the served model); each article's `classification` is the one by that version.
        """
        session = get_session()
        args.pop("format")
        args = export_filters(session, args)
        page = dao.list_articles(session, **pop_page_args(args), **args)
        attach_classifications(session, page.items, args["model_version"])
        return page_body(page)

    @blp.arguments(IngestArgsSchema, location="query")
    @blp.arguments(ArticleCreateSchema, example=ARTICLE_EXAMPLE)
    @blp.response(201, ArticleSchema)
    @blp.alt_response(200, schema=ArticleSchema, description="Duplicate: the stored article, unchanged.")
    @blp.alt_response(422, **PROBLEM, description="Invalid fields or unknown outlet/event.")
    def post(self, args: dict[str, Any], data: dict[str, Any]):
        """Add one article (201), or get the stored one back if it is a duplicate (200)"""
        session = get_session()
        result = store_and_classify(session, [data], create_missing=args["create_missing"])
        session.commit()
        article = dao.get_article(session, result.ids[0])
        attach_classifications(session, [article])
        location = {"Location": url_for("articles.ArticleItem", article_id=article.id, _external=True)}
        return article, 201 if result.created[0] else 200, location


@blp.route("/batch")
class ArticleBatch(MethodView):
    @blp.arguments(IngestArgsSchema, location="query")
    @blp.arguments(ArticleBatchSchema(many=True), example=BATCH_EXAMPLE)
    @blp.response(201, BatchResultSchema)
    @blp.alt_response(200, schema=BatchResultSchema, description="Every item was already stored.")
    @blp.alt_response(413, **PROBLEM, description="Body larger than MAX_CONTENT_LENGTH.")
    @blp.alt_response(422, **PROBLEM, description="Nothing stored; `errors` names each bad item.")
    @blp.doc(**_NDJSON_DOC)
    def post(self, args: dict[str, Any], items: list[dict[str, Any]]):
        """Add up to 10,000 articles atomically (JSON array, NDJSON or CSV)

        All or nothing: if any item is invalid, nothing is stored and every bad item is listed by
        index and field. Duplicates (within the batch or already stored) are reported with
        `created: false` and the stored id. New articles are classified (in batches of 1,000) and
        their results stored in the same transaction.
        """
        session = get_session()
        result = store_and_classify(session, items, create_missing=args["create_missing"])
        session.commit()
        return result.summary(), 201 if result.n_created else 200


@blp.route("/export")
class ArticleExport(MethodView):
    @blp.arguments(ArticleExportArgsSchema, location="query")
    @blp.response(200, description="CSV (default) or NDJSON: every matching article, streamed in id order.")
    @blp.alt_response(422, **PROBLEM, description="Invalid filter or format.")
    def get(self, args: dict[str, Any]):
        """Export every matching article with its labels as CSV or NDJSON (same filters as the list)

        Not paginated and not capped: the answer is streamed from the database in chunks of 1,000
        articles, so its size does not matter. Articles added after the export started are left out.
        """
        format_ = args.pop("format")
        session = get_session()
        body = stream_export(format_, export_filters(session, args))
        headers = {"Content-Disposition": f'attachment; filename="{export_filename(args, format_)}"'}
        return Response(stream_with_context(body), mimetype=MEDIA_TYPES[format_], headers=headers)


@blp.route("/<int:article_id>")
class ArticleItem(MethodView):
    @blp.etag
    @blp.response(200, ArticleSchema)
    @blp.alt_response(404, **PROBLEM)
    def get(self, article_id: int):
        """Get one article, with its classification by the served model"""
        return _article_with_classification(get_session(), article_id)

    @blp.etag
    @blp.arguments(ArticleUpdateSchema)
    @blp.response(200, ArticleSchema)
    @blp.alt_response(404, **PROBLEM)
    @blp.alt_response(409, **PROBLEM, description="The new URL or text belongs to another article.")
    def patch(self, changes: dict[str, Any], article_id: int):
        """Correct an article's metadata or text (send `If-Match` with the ETag from GET)

        A new `title` or `text` replaces the stored classifications with a fresh one.
        """
        session = get_session()
        article = _article_with_classification(session, article_id)
        blp.check_etag(article, ArticleSchema)
        dao.update_article(session, article, changes)
        if {"title", "text"} & changes.keys():
            delete_classifications(session, article_id)
            classify_stored_articles(session, get_model(), [article_id])
        if "text" in changes:
            forget_signature(session, article_id)
            sign_if_configured(session, [article_id])
            session.expire(article, ["signature"])
        session.commit()
        attach_classifications(session, [article])
        return article

    @blp.etag
    @blp.response(204)
    @blp.alt_response(404, **PROBLEM)
    def delete(self, article_id: int):
        """Delete an article and its stored classifications (send `If-Match`)"""
        session = get_session()
        article = _article_with_classification(session, article_id)
        blp.check_etag(article, ArticleSchema)
        dao.delete_article(session, article)
        session.commit()


def _article_with_classification(session: Any, article_id: int) -> Any:
    """The article with ``classification`` attached, so GET and If-Match checks dump the same thing."""
    article = dao.get_article(session, article_id)
    attach_classifications(session, [article])
    return article


def sign_if_configured(session: Session, article_ids: list[int]) -> None:
    """Syndication clusters at ingest unless ``SYNDICATION_AT_INGEST`` is off (bulk loads)."""
    if current_app.config["SYNDICATION_AT_INGEST"]:
        sign_articles(session, article_ids)
