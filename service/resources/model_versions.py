"""/v1/models: the served classifier, models trained from coded articles, activation and roll-back."""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from flask.views import MethodView
from sqlalchemy import select

from service import model_registry as registry
from service.classifier_registry import get_model
from service.jobs import submit_job
from service.parsing import Blueprint
from service.schemas.common import PROBLEM
from service.schemas.jobs import JobSchema
from service.schemas.model_registry import (
    TRAIN_EXAMPLE,
    ActivationSchema,
    RollbackSchema,
    TrainedModelDetailSchema,
    TrainRequestSchema,
)
from service.schemas.model_versions import ModelSchema
from service.storage import jobs as jobs_dao
from service.storage.classified_rows import stored_model_versions
from service.storage.db import get_session
from service.storage.errors import ConflictError, InvalidItemsError, NotFoundError
from service.storage.tables import Annotation

blp = Blueprint("models", __name__, url_prefix="/v1/models", description="The classifier behind every label.")


def _row(row, active: str | None, *, detail: bool = False) -> dict[str, Any]:
    out = {
        "version": row.version,
        "codebook": row.codebook,
        "base_version": row.base_version,
        "active": row.version == active,
        "created_at": row.created_at,
        "job_id": row.job_id,
        "coders": list(row.params.get("coders", [])),
        "heldout": row.manifest.get("heldout"),
    }
    if detail:
        out.update(manifest=row.manifest, params=row.params)
    return out


def _field_error(field: str, detail: str) -> InvalidItemsError:
    return InvalidItemsError([{"field": field, "location": "json", "detail": detail}], detail)


def _check_training_request(data: dict[str, Any]) -> None:
    """422 naming the field for a codebook without a model, an unknown base, coders or articles."""
    session = get_session()
    shipped = registry.shipped_model()
    if data["codebook"] != shipped.codebook.key:
        raise _field_error(
            "codebook",
            f"No model serves codebook {data['codebook']!r}; models can be adapted for "
            f"{shipped.codebook.key!r} (a new codebook needs a sentence-labelled corpus to train from).",
        )
    if "base" in data:
        try:
            base = registry.load_version(data["base"])
        except NotFoundError as exc:
            raise _field_error("base", str(exc)) from exc
        if base.codebook.key != data["codebook"]:
            raise _field_error("base", f"Model {data['base']} serves codebook {base.codebook.key!r}.")
    coded = set(
        session.scalars(
            select(Annotation.coder)
            .where(Annotation.codebook_key == data["codebook"], Annotation.coder.in_(data["coders"]))
            .distinct()
        )
    )
    unknown = [c for c in data["coders"] if c not in coded]
    if unknown:
        raise _field_error(
            "coders", f"No annotations under codebook {data['codebook']!r} by coder(s): {', '.join(unknown)}."
        )
    if "article_ids" in data:
        stmt = (
            select(Annotation.article_id)
            .where(
                Annotation.codebook_key == data["codebook"],
                Annotation.coder.in_(data["coders"]),
                Annotation.article_id.in_(data["article_ids"]),
            )
            .distinct()
        )
        missing = sorted(set(data["article_ids"]) - set(session.scalars(stmt)))
        if missing:
            shown = ", ".join(map(str, missing[:10])) + (" ..." if len(missing) > 10 else "")
            raise _field_error(
                "article_ids", f"{len(missing)} article(s) not coded by these coders: {shown}."
            )


@blp.route("")
class Models(MethodView):
    @blp.response(200, ModelSchema)
    def get(self):
        """The served model: version, manifest and metrics; `registry` lists models trained here

        `stored_versions` lists every model version with stored results, so you can see whether some
        articles still carry labels from an older model (run `flask classify --missing`).
        """
        model = get_model()
        session = get_session()
        return {
            **model.info(),
            "manifest": model.manifest,
            "thresholds": dict(zip(model.codebook.frame_keys, map(float, model.thresholds_), strict=True)),
            "stored_versions": stored_model_versions(session),
            "shipped_version": registry.shipped_model().version,
            "registry": [_row(r, model.version) for r in registry.list_trained(session)],
        }

    @blp.arguments(TrainRequestSchema, example=TRAIN_EXAMPLE)
    @blp.response(202, JobSchema)
    @blp.alt_response(422, **PROBLEM, description="Unknown codebook, base model, coders or articles.")
    def post(self, data: dict[str, Any]):
        """Train a model adapted to your coders' annotations: a `train` job (202 + `Location`)

        The base model (default: the codebook's active model) keeps its sentence model; its article
        frame decisions and stance aggregator are re-fitted on its corpus plus your coded articles
        (each counted `weight` times). About a fifth of the coded events (or articles, with one event)
        are held out; the job's result and the model's `heldout` compare the new model with its base
        on them. The new model is not activated: look at the figures, then
        `POST /v1/models/{version}/activate`.
        """
        _check_training_request(data)
        session = get_session()
        params = {k: v for k, v in data.items() if v is not None}
        job = jobs_dao.create_job(session, "train", params)
        session.commit()
        submit_job(job.id)
        return job, 202, {"Location": url_for("jobs.JobItem", job_id=job.id, _external=True)}


@blp.route("/<string:version>")
class ModelItem(MethodView):
    @blp.response(200, TrainedModelDetailSchema)
    @blp.alt_response(404, **PROBLEM)
    def get(self, version: str):
        """A trained model: its manifest, training parameters and held-out figures"""
        session = get_session()
        return _row(registry.get_trained(session, version), get_model().version, detail=True)


@blp.route("/<string:version>/card")
class ModelCard(MethodView):
    @blp.response(200, description="The model card (Markdown).")
    @blp.alt_response(404, **PROBLEM)
    def get(self, version: str):
        """A trained model's card: what it was adapted from, with which codes, and how it scores"""
        row = registry.get_trained(get_session(), version)
        return Response(registry.model_card(row), mimetype="text/markdown")


@blp.route("/<string:version>/activate")
class ModelActivate(MethodView):
    @blp.response(200, ActivationSchema)
    @blp.alt_response(404, **PROBLEM)
    def post(self, version: str):
        """Serve this version for its codebook (every worker within `MODEL_ACTIVATION_TTL` seconds)"""
        session = get_session()
        shipped = registry.shipped_model()
        codebook = shipped.codebook.key if version == shipped.version else None
        if codebook is None:
            codebook = registry.get_trained(session, version).codebook
        row = registry.activate(session, codebook, version)
        session.commit()
        registry.forget_active()
        return row


@blp.route("/rollback")
class ModelRollback(MethodView):
    @blp.arguments(RollbackSchema)
    @blp.response(200, ActivationSchema)
    @blp.alt_response(409, **PROBLEM, description="Nothing to roll back to.")
    def post(self, data: dict[str, Any]):
        """Serve again the version that served before the current one (the shipped model at first)"""
        session = get_session()
        previous = registry.previous_version(session, data["codebook"], registry.shipped_model().version)
        if previous is None:
            raise ConflictError(f"Codebook {data['codebook']!r} has no earlier model to roll back to.")
        row = registry.activate(session, data["codebook"], previous)
        session.commit()
        registry.forget_active()
        return row
