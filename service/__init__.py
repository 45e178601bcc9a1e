"""Framescope HTTP service: the application factory lives here."""

from __future__ import annotations

import os
from collections.abc import Mapping

from flask import Blueprint as FlaskBlueprint
from flask import Flask
from swagger_ui_bundle import swagger_ui_path

from service import classifier_registry, cli, dashboard, errors, jobs, logs, memory, security
from service.config import load_config
from service.resources import (
    annotations,
    articles,
    classify,
    codebooks,
    comparisons,
    events,
    evidence,
    limits,
    manifests,
    model_versions,
    operations,
    outlets,
    profiles,
    reliability,
    trends,
)
from service.resources import jobs as job_resources
from service.storage import db

__all__ = ["create_app"]


def create_app(config: Mapping | None = None) -> Flask:
    """Build the app: settings (defaults < env < ``config``), logging, database, API, error handling.

    Nothing connects at import time; the engine is created here, once per process (per gunicorn
    worker, since ``preload_app`` is off), and stored in ``app.extensions["framescope"]``.
    """
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, config)
    os.makedirs(app.instance_path, exist_ok=True)
    app.json.sort_keys = False

    logs.init_app(app)
    db.init_app(app)
    cli.init_app(app)
    classifier_registry.init_app(app)  # the classifier, once per worker (trained and cached on first use)
    jobs.init_app(app)  # background jobs: RQ on Redis, or a thread of this process
    memory.init_app(app)  # large requests give their freed memory back (worker RSS, issue 13)

    api = errors.ProblemApi(app, spec_kwargs={"info": {"description": API_DESCRIPTION}})
    security.init_app(app, api)  # keys, rate limits, CORS, /metrics: before the blueprints are documented
    for module in (
        operations,
        outlets,
        events,
        articles,
        classify,
        model_versions,
        limits,
        codebooks,
        comparisons,
        evidence,
        trends,
        profiles,
        annotations,
        reliability,
        manifests,
        job_resources,
    ):
        api.register_blueprint(module.blp)
    errors.init_app(app, api)

    # Swagger UI's JS/CSS from the swagger-ui-bundle package: /docs works offline, no CDN.
    app.register_blueprint(
        FlaskBlueprint(
            "swagger_ui_assets", __name__, static_folder=str(swagger_ui_path), static_url_path="/docs/assets"
        )
    )
    dashboard.init_app(app)  # /dashboard: charts over the API, assets under /static (vendored, offline)
    return app


API_DESCRIPTION = """Framing and stance analysis of news coverage, compared across outlets.

* Every error is `application/problem+json` (RFC 9457) with a `request_id` that also appears in the
  `X-Request-ID` response header and in the server log.
* Lists use cursor pagination: follow `next` (also sent as a `Link: rel="next"` header).
* Item `PATCH`/`DELETE` need `If-Match: <ETag from GET>` (428 without it, 412 if it is stale).
"""
