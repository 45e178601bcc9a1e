"""/health and /ready: liveness and readiness probes for load balancers and `make run` users."""

from __future__ import annotations

import logging

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from webargs.flaskparser import abort

from service.parsing import Blueprint
from service.schemas.common import PROBLEM

blp = Blueprint("operations", __name__, description="Probes for process managers and load balancers.")
log = logging.getLogger("framescope.ready")


class HealthSchema(ma.Schema):
    status = ma.fields.String(metadata={"example": "ok"})


class ReadySchema(HealthSchema):
    checks = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.String(), metadata={"example": {"database": "ok"}}
    )


@blp.route("/health")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self):
        """The process is alive (no dependencies are touched)"""
        return {"status": "ok"}


@blp.route("/ready")
class Ready(MethodView):
    @blp.response(200, ReadySchema)
    @blp.alt_response(503, **PROBLEM, description="A check failed; `errors` names it.")
    def get(self):
        """Every registered check passes: database reachable, and (once registered) the model loaded

        Checks live in `app.extensions["framescope"]["ready_checks"]`: name -> zero-argument callable
        that returns truthy when ready or raises/returns falsy.
        """
        checks = current_app.extensions["framescope"]["ready_checks"]
        results, errors = {}, []
        for name, check in checks.items():
            try:
                ok = bool(check())
            except Exception:
                log.exception("readiness check failed", extra={"check": name})
                ok = False
            results[name] = "ok" if ok else "failed"
            if not ok:
                errors.append({"field": name, "detail": f"Readiness check {name!r} failed."})
        if errors:
            abort(503, message="Not ready.", errors=errors)
        return {"status": "ready", "checks": results}
