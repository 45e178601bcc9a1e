"""/v1/codebooks: frame and stance-target definitions, with the hash every result carries.

The shipped codebooks (fixtures/codebooks) are read-only; researchers upload their own as JSON or
YAML, each change a new immutable version (service.codebook_catalog).
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from service.codebook_catalog import (
    add_codebook,
    build_codebook,
    codebook_versions,
    describe,
    latest_codebooks,
    resolve_codebook,
)
from service.parsing import UploadBlueprint
from service.schemas.codebooks import (
    CodebookArgsSchema,
    CodebookListSchema,
    CodebookSchema,
    CodebookUploadSchema,
    CodebookVersionsSchema,
)
from service.schemas.common import PROBLEM
from service.storage.db import get_session

blp = UploadBlueprint(
    "codebooks",
    __name__,
    url_prefix="/v1/codebooks",
    description="Codebooks: what each frame and stance label means (see also docs/annotation-guide.md). "
    "Upload your own as JSON or YAML (`Content-Type: application/yaml`); a changed codebook is a new "
    "version under the same key.",
)

UPLOAD_EXAMPLE = {
    "key": "protest",
    "version": "1.0",
    "label": "Protest coverage",
    "frames": [
        {
            "key": "riot",
            "label": "Riot",
            "definition": "Violence, disorder and policing.",
            "indicators": ["riot*"],
        },
        {"key": "grievance", "label": "Grievance", "definition": "The protesters' demands and reasons."},
    ],
    "targets": [
        {
            "key": "protesters",
            "description": "Favor: the protest is presented as justified; against: as illegitimate.",
            "aliases": ["protesters", "marchers"],
            "side_terms": {"favor": ["peaceful"], "against": ["mob"]},
        }
    ],
    "default_target": "protesters",
}
_YAML_DOC = {
    "requestBody": {
        "content": {
            "application/yaml": {
                "schema": {"type": "string", "description": "The same document as YAML (no aliases)."}
            }
        }
    }
}


@blp.route("")
class Codebooks(MethodView):
    @blp.response(200, CodebookListSchema)
    def get(self):
        """Available codebooks: the shipped ones and the latest version of each uploaded key"""
        return {"items": latest_codebooks(get_session())}

    @blp.arguments(CodebookUploadSchema, example=UPLOAD_EXAMPLE)
    @blp.response(201, CodebookSchema)
    @blp.alt_response(200, schema=CodebookSchema, description="This exact content is already stored.")
    @blp.alt_response(409, **PROBLEM, description="Shipped key, taken version, or labels annotations use.")
    @blp.alt_response(422, **PROBLEM, description="Invalid codebook; `errors` names the field.")
    @blp.doc(**_YAML_DOC)
    def post(self, data: dict[str, Any]):
        """Upload a codebook, or a new version of one (JSON or YAML)

        Versions are immutable: a changed codebook needs a new `version`. A version that drops a
        frame or stance label stored annotations use is refused (409) and nothing is stored.
        """
        session = get_session()
        body, created = add_codebook(session, build_codebook(data))
        session.commit()
        location = url_for("codebooks.CodebookItem", key=body["key"], hash=body["hash"], _external=True)
        return body, 201 if created else 200, {"Location": location}


@blp.route("/<string:key>")
class CodebookItem(MethodView):
    @blp.arguments(CodebookArgsSchema, location="query")
    @blp.response(200, CodebookSchema)
    @blp.alt_response(404, **PROBLEM, description="No codebook with this key (or version / hash).")
    def get(self, args: dict[str, Any], key: str):
        """One codebook (latest version unless `version` or `hash` is given): frames, targets, hash"""
        codebook, row = resolve_codebook(
            get_session(), key, version=args.get("version"), hash_=args.get("hash")
        )
        if row is None:
            return describe(codebook, source="shipped")
        return describe(codebook, source="uploaded", created_at=row.created_at)


@blp.route("/<string:key>/versions")
class CodebookVersions(MethodView):
    @blp.response(200, CodebookVersionsSchema)
    @blp.alt_response(404, **PROBLEM)
    def get(self, key: str):
        """Every version of a codebook, oldest first (key, version, hash, upload time)"""
        return {"items": codebook_versions(get_session(), key)}
