"""Security and observability hooks, installed by ``create_app`` with one call: :func:`init_app`.

Order matters and is fixed here: request id (service.logs, earlier) → metrics timer → API key check →
rate limit (which counts per key) → view; CORS headers are added to every answer, errors included.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from service import hardening, metrics
from service import limits as input_limits
from service.resources import keys
from service.security import auth, cli, cors, limits
from service.security.auth import requires_scope

__all__ = ["init_app", "requires_scope"]


def init_app(app: Flask, api: Any) -> None:
    """Install auth, limits, CORS, metrics, the key CLI and ``/v1/keys``; call before other blueprints."""
    hops = int(app.config.get("PROXY_FIX_X_FOR") or 0)
    if hops:
        # Behind N trusted reverse proxies: client address and scheme from X-Forwarded-For/-Proto.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    input_limits.init_app(app)
    metrics.init_app(app)
    hardening.init_app(app)  # Host, NUL in query args, nosniff, Redis readiness: before the key check
    auth.init_app(app, api)
    limits.init_app(app)
    cors.init_app(app)
    cli.init_app(app)
    api.register_blueprint(keys.blp)
