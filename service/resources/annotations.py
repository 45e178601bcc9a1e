"""/v1/annotations: coders' codes per article (JSON array, NDJSON or CSV), list, filter, export."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from service.annotating import export_annotations, store_annotations
from service.parsing import UploadBlueprint
from service.resources.common import page_body, pop_page_args
from service.schemas.annotations import (
    ANNOTATION_EXAMPLE,
    AnnotationBatchResultSchema,
    AnnotationBatchSchema,
    AnnotationExportArgsSchema,
    AnnotationListArgsSchema,
    AnnotationPageSchema,
    AnnotationSchema,
    SuggestArgsSchema,
    SuggestionsSchema,
)
from service.schemas.common import PROBLEM
from service.storage import annotations as dao
from service.storage.db import get_session
from service.suggesting import suggest_articles

blp = UploadBlueprint(
    "annotations",
    __name__,
    url_prefix="/v1/annotations",
    description="Coders' codes per article under a codebook (article frames, dominant frame, stance, "
    "sentence spans). The same article + coder + codebook is stored once: re-posting replaces it.",
)

_BODY_DOC = {
    "requestBody": {
        "content": {
            "application/x-ndjson": {"schema": {"type": "string", "description": "One annotation per line."}},
            "text/csv": {
                "schema": {
                    "type": "string",
                    "description": "Header `article_id,coder,codebook,frames,dominant,target,stance,spans`; "
                    "`frames` separated by `;`, `spans` as JSON; an export re-imports as it is.",
                }
            },
        }
    }
}
_EXPORT_TYPES = {"csv": "text/csv", "ndjson": "application/x-ndjson"}


@blp.route("")
class Annotations(MethodView):
    @blp.arguments(AnnotationListArgsSchema, location="query")
    @blp.response(200, AnnotationPageSchema)
    def get(self, args: dict[str, Any]):
        """List annotations, filtered by coder, article, codebook, event or outlet"""
        page = dao.list_annotations(get_session(), **pop_page_args(args), **args)
        return page_body(page)

    @blp.arguments(AnnotationBatchSchema(many=True), example=[ANNOTATION_EXAMPLE])
    @blp.response(201, AnnotationBatchResultSchema)
    @blp.alt_response(
        200, schema=AnnotationBatchResultSchema, description="Every item replaced a stored one."
    )
    @blp.alt_response(422, **PROBLEM, description="Nothing stored; `errors` names each bad item and field.")
    @blp.doc(**_BODY_DOC)
    def post(self, items: list[dict[str, Any]]):
        """Store coders' annotations atomically (JSON array, NDJSON or CSV)

        Unknown codebooks, articles, frames, targets or stance labels, and spans past the end of the
        article text, are a 422 naming each item by index and field; nothing is stored then.
        """
        session = get_session()
        result = store_annotations(session, items)
        session.commit()
        return result, 201 if result["n_created"] else 200


@blp.route("/suggest")
class AnnotationSuggest(MethodView):
    @blp.arguments(SuggestArgsSchema, location="query")
    @blp.response(200, SuggestionsSchema)
    @blp.alt_response(422, **PROBLEM, description="A codebook no model serves, or a bad argument.")
    def get(self, args: dict[str, Any]):
        """What to code next: uncertain articles, spread over different stories

        Among stored articles the served model has labelled and nobody (or none of `coders`) has coded,
        those whose frame and stance probabilities are closest to a coin flip, each discounted by its
        similarity to the ones already picked, so near-copies of one story are not all suggested. See
        docs/model-registry.md for its measured gain over random picks.
        """
        return suggest_articles(get_session(), **args)


@blp.route("/export")
class AnnotationExport(MethodView):
    @blp.arguments(AnnotationExportArgsSchema, location="query")
    @blp.response(200, description="CSV (default) or NDJSON: every matching annotation, in id order.")
    def get(self, args: dict[str, Any]):
        """Export annotations as CSV or NDJSON (same filters as the list; no pagination)"""
        format_ = args.pop("format")
        body = export_annotations(get_session(), format_, **args)
        response = Response(body, mimetype=_EXPORT_TYPES[format_])
        response.headers["Content-Disposition"] = f'attachment; filename="annotations.{format_}"'
        return response


@blp.route("/<int:annotation_id>")
class AnnotationItem(MethodView):
    @blp.etag
    @blp.response(200, AnnotationSchema)
    @blp.alt_response(404, **PROBLEM)
    def get(self, annotation_id: int):
        """One annotation"""
        return dao.get_annotation(get_session(), annotation_id)

    @blp.etag
    @blp.response(204)
    @blp.alt_response(404, **PROBLEM)
    def delete(self, annotation_id: int):
        """Delete an annotation (send `If-Match` with the ETag from GET)"""
        session = get_session()
        annotation = dao.get_annotation(session, annotation_id)
        blp.check_etag(annotation, AnnotationSchema)
        dao.delete_annotation(session, annotation)
        session.commit()
