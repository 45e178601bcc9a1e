"""/v1/codebooks: frame and stance-target definitions, with the hash every result carries."""

from __future__ import annotations

from flask.views import MethodView

from service.classifier_registry import codebook_keys, get_codebook, get_model
from service.parsing import Blueprint
from service.schemas.codebooks import CodebookListSchema, CodebookSchema
from service.schemas.common import PROBLEM

blp = Blueprint(
    "codebooks",
    __name__,
    url_prefix="/v1/codebooks",
    description="Codebooks: what each frame and stance label means (see also docs/annotation-guide.md).",
)


def _with_served_flag(key: str) -> dict:
    codebook = get_codebook(key)
    served = get_model().codebook
    return {**codebook.to_dict(), "served": codebook.key == served.key and codebook.hash == served.hash}


@blp.route("")
class Codebooks(MethodView):
    @blp.response(200, CodebookListSchema)
    def get(self):
        """Available codebooks (key, label, version, hash)"""
        return {"items": [_with_served_flag(key) for key in codebook_keys()]}


@blp.route("/<string:key>")
class CodebookItem(MethodView):
    @blp.response(200, CodebookSchema)
    @blp.alt_response(404, **PROBLEM, description="No codebook with this key.")
    def get(self, key: str):
        """One codebook: frames (definition, include/exclude rules, indicators), targets, hash"""
        return _with_served_flag(key)
