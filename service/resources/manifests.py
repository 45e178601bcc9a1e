"""/v1/manifests/{id}: what produced a comparison, trend or profile answer (issue 12)."""

from __future__ import annotations

from flask.views import MethodView

from service.parsing import Blueprint
from service.schemas.common import PROBLEM
from service.schemas.manifests import ManifestSchema
from service.storage.db import get_session
from service.storage.manifests import get_manifest

blp = Blueprint(
    "manifests",
    __name__,
    url_prefix="/v1/manifests",
    description="Manifests: every analysis answer's `metadata.manifest.id` names the input article set, "
    "model, codebook, parameters, seeds and software versions; the same request reproduces it.",
)


@blp.route("/<string:manifest_id>")
class ManifestItem(MethodView):
    @blp.response(200, ManifestSchema)
    @blp.alt_response(404, **PROBLEM, description="No such manifest.")
    def get(self, manifest_id: str):
        """Get a manifest (re-send its request to re-run it: the answer names the same id)"""
        return get_manifest(get_session(), manifest_id)
