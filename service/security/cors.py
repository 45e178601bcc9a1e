"""CORS for dashboards served from other origins: only the origins listed in ``CORS_ORIGINS``.

Closed by default (an empty list sends no CORS headers, so browsers refuse cross-origin reads).
``FRAMESCOPE_CORS_ORIGINS='["https://dash.example.org"]'`` opens ``/v1/*`` and ``/metrics`` to that
origin; keys travel in headers (no cookies), so credentials mode stays off.
"""

from __future__ import annotations

from flask import Flask
from flask_cors import CORS

ALLOWED_HEADERS = ["Authorization", "X-API-Key", "Content-Type", "If-Match", "If-None-Match", "X-Request-ID"]
EXPOSED_HEADERS = [
    "X-Request-ID",
    "ETag",
    "Link",
    "Location",
    "Retry-After",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
]


def init_app(app: Flask) -> None:
    origins = app.config.get("CORS_ORIGINS") or []
    if isinstance(origins, str):
        origins = [o.strip() for o in origins.split(",") if o.strip()]
    if "*" in origins:
        raise ValueError("CORS_ORIGINS must list origins explicitly; '*' is not allowed.")
    if not origins:
        return
    CORS(
        app,
        resources={r"/v1/*": {}, r"/metrics": {}},
        origins=origins,
        allow_headers=ALLOWED_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        methods=["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"],
        supports_credentials=False,
        max_age=600,
    )
