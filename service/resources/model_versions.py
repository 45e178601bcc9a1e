"""/v1/models: the served classifier (version, manifest, metrics) and the versions stored so far."""

from __future__ import annotations

from flask.views import MethodView

from service.classifier_registry import get_model
from service.parsing import Blueprint
from service.schemas.model_versions import ModelSchema
from service.storage.classified_rows import stored_model_versions
from service.storage.db import get_session

blp = Blueprint("models", __name__, url_prefix="/v1/models", description="The classifier behind every label.")


@blp.route("")
class Models(MethodView):
    @blp.response(200, ModelSchema)
    def get(self):
        """The served model: version, codebook hash, training manifest and metrics

        `stored_versions` lists every model version with stored results, so you can see whether some
        articles still carry labels from an older model (run `flask classify --missing`).
        """
        model = get_model()
        return {
            **model.info(),
            "manifest": model.manifest,
            "thresholds": dict(zip(model.codebook.frame_keys, map(float, model.thresholds_), strict=True)),
            "stored_versions": stored_model_versions(get_session()),
        }
