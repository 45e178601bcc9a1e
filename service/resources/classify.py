"""/v1/classify: frames, stance and evidence for submitted articles; nothing is stored."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from service.classifying import classify_items
from service.parsing import Blueprint
from service.schemas.classify import (
    CLASSIFY_EXAMPLE,
    ClassificationSchema,
    ClassifyArgsSchema,
    ClassifyArticleSchema,
)
from service.schemas.common import PROBLEM
from service.security import requires_scope

blp = Blueprint(
    "classify",
    __name__,
    url_prefix="/v1/classify",
    description="Classify articles on the fly with the served model (frames, stance, evidence sentences).",
)

_EXAMPLES = {
    "one": {"summary": "One article: the answer is one result", "value": CLASSIFY_EXAMPLE},
    "many": {
        "summary": "A list: the answer is a list, in the same order",
        "value": [
            CLASSIFY_EXAMPLE,
            {
                "title": "Kremlin warns of nuclear response",
                "text": "Moscow warned that long-range strikes could trigger a nuclear response. "
                "Officials said the risk of a wider war was growing.",
            },
        ],
    },
}


@blp.route("")
class Classify(MethodView):
    @requires_scope("read")
    @blp.arguments(ClassifyArticleSchema, examples=_EXAMPLES)
    @blp.arguments(ClassifyArgsSchema, location="query")
    @blp.response(200, ClassificationSchema)
    @blp.alt_response(413, **PROBLEM, description="More text in the request than MAX_CLASSIFY_CHARS.")
    @blp.alt_response(
        422, **PROBLEM, description="Empty text, a text over MAX_TEXT_CHARS, unknown target, other bad field."
    )
    def post(self, data: dict[str, Any] | list[dict[str, Any]], args: dict[str, Any]):
        """Classify one article (object in, object out) or a list (array in, array out)

        Per article: every codebook frame with `score`, `present`, `share` and evidence sentences
        (`start`/`end` are offsets into the submitted `text`), the `dominant_frame`, the stance toward
        the target with probabilities and evidence, and the `model` (version, codebook, codebook hash).
        Texts the model cannot read get `status` `insufficient_text` or `unsupported_language`.
        `?model=<version>` classifies with another version (see `GET /v1/models`) than the active one.
        """
        results = classify_items(data if isinstance(data, list) else [data], model_version=args.get("model"))
        return results if isinstance(data, list) else results[0]
