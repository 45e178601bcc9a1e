"""Who may call what: API keys with scopes, checked once per request before any view runs.

Rules (documented in docs/deploying.md):

* Public, never checked: ``/health``, ``/ready``, ``/docs``, ``/v1/openapi.json``, CORS preflights,
  and the dashboard page and its assets (``/dashboard``, ``/static``; they hold no data).
* ``/v1/keys`` (key management) always needs a key with ``admin``.
* Other routes need ``read`` (GET/HEAD) or ``write`` (any other method), unless a view says otherwise
  with :func:`requires_scope` (e.g. a POST that only computes, such as classification, may ask for
  ``read``). With ``AUTH_REQUIRED`` false (the local default) a request without a key passes; with
  ``ANONYMOUS_READ`` true, reads pass without a key even when auth is required.
* A key that is sent is always checked: unknown or revoked → 401, missing scope → 403.

The token is never logged and never echoed: problems name only the header that carried it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from apispec import BasePlugin
from flask import Flask, current_app, g, request
from flask_smorest import abort

from service.security.auth_failures import count_auth_failure, refuse_after_auth_failures
from service.storage import api_keys

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("framescope.auth")

#: Endpoints (Flask endpoint names or blueprint prefixes) that need no key at all.
PUBLIC_ENDPOINTS = ("operations.", "api-docs.", "swagger_ui_assets.", "static", "dashboard.")
ADMIN_BLUEPRINTS = ("keys.",)
READ_METHODS = {"GET", "HEAD"}
WWW_AUTHENTICATE = 'Bearer realm="framescope"'
SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer <key>"},
    "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
}


def requires_scope(scope: str) -> Callable[[F], F]:
    """Mark a view method as needing ``scope`` instead of the method-based default."""
    if scope not in api_keys.SCOPES:
        raise ValueError(f"Unknown scope {scope!r}; use one of {', '.join(api_keys.SCOPES)}.")

    def mark(view: F) -> F:
        view._framescope_scope = scope  # type: ignore[attr-defined]
        return view

    return mark


def required_scope() -> str | None:
    """The scope the current request needs, or None for public endpoints and unmatched URLs."""
    endpoint = request.endpoint
    if request.method == "OPTIONS" or endpoint is None or endpoint.startswith(PUBLIC_ENDPOINTS):
        return None
    if endpoint.startswith(ADMIN_BLUEPRINTS):
        return "admin"
    view = current_app.view_functions.get(endpoint)
    view_class = getattr(view, "view_class", None)
    method = getattr(view_class, request.method.lower(), None) if view_class else view
    marked = getattr(method, "_framescope_scope", None)
    if marked:
        return marked
    return "read" if request.method in READ_METHODS else "write"


def presented_token() -> str | None:
    """The key from ``Authorization: Bearer`` or ``X-API-Key``; '' when a header is there but unusable."""
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, token = header.strip().partition(" ")
        return token.strip() if scheme.lower() == "bearer" else ""
    token = request.headers.get("X-API-Key")
    return token.strip() if token is not None else None


def key_is_required(scope: str) -> bool:
    config = current_app.config
    if scope == "admin":
        return True
    if scope == "read" and config["ANONYMOUS_READ"]:
        return False
    return bool(config["AUTH_REQUIRED"])


def authenticate() -> None:
    """``before_request``: resolve the key into ``g.api_key`` and refuse with 401/403 problem+json."""
    g.api_key = None
    scope = required_scope()
    token = presented_token()
    if token is not None and request.method != "OPTIONS":
        refuse_after_auth_failures()  # before any database lookup
        if token == "":
            count_auth_failure()
            unauthorized("Send the key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'.")
        factory = current_app.extensions["framescope"]["sessionmaker"]
        with factory() as session:
            key = api_keys.find_active_key(session, token)
            if key is None:
                count_auth_failure()
                unauthorized("The API key is not valid (unknown or revoked).")
            session.expunge(key)
        g.api_key = key
    if scope is None:
        return
    if g.api_key is None:
        if key_is_required(scope):
            refuse_after_auth_failures()
            count_auth_failure()
            unauthorized(f"This request needs an API key with the '{scope}' scope.")
        return
    if scope not in g.api_key.granted:
        abort(403, message=f"This API key lacks the '{scope}' scope (it has: {g.api_key.scope}).")


def unauthorized(message: str) -> None:
    abort(401, message=message, headers={"WWW-Authenticate": WWW_AUTHENTICATE})


class SecurityDocPlugin(BasePlugin):
    """Adds the key schemes and the 401/403/429 answers to every operation of the OpenAPI document."""

    def operation_helper(self, path: str | None = None, operations: dict | None = None, **_: Any) -> None:
        for method, operation in (operations or {}).items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            if path in ("/health", "/ready"):
                continue
            operation.setdefault("security", [{"bearerAuth": []}, {"apiKeyHeader": []}])
            responses.setdefault("401", "UNAUTHORIZED")
            responses.setdefault("403", "FORBIDDEN")
            responses.setdefault("429", "TOO_MANY_REQUESTS")


def init_app(app: Flask, api: Any) -> None:
    """Register the key check (after the request id is assigned) and document the schemes."""
    app.before_request(authenticate)
    if not app.config["AUTH_REQUIRED"] and not app.testing:
        log.warning(
            "authentication is off: requests without a key may read and write "
            "(set FRAMESCOPE_AUTH_REQUIRED=true on any shared server; see docs/deploying.md)"
        )
    for name, scheme in SECURITY_SCHEMES.items():
        api.spec.components.security_scheme(name, scheme)
    plugin = SecurityDocPlugin()
    plugin.init_spec(api.spec)
    api.spec.plugins.append(plugin)
