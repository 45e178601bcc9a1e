"""Framescope HTTP service: the application factory lives here."""
from __future__ import annotations

from collections.abc import Mapping

from flask import Flask


def create_app(config: Mapping | None = None) -> Flask:
    """Build the Flask application (Flask tutorial style factory)."""
    app = Flask(__name__, instance_relative_config=True)
    if config:
        app.config.from_mapping(config)

    @app.get("/health")
    def health():
        return {"status": "ok"}

    return app
