"""/dashboard: one static page that charts comparisons through the JSON API (no server-side rendering).

The page, its script and stylesheet live in ``service/static/dashboard/``; Vega, Vega-Lite,
vega-embed and vega-interpreter are vendored in ``service/static/vendor/`` (``make vendor``), so the
page works offline. The page is public like ``/docs`` (it holds no data); every figure comes from
``/v1`` requests that carry the key typed into the page, if any. Its answers carry the strict
Content-Security-Policy of ``service.hardening``.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, send_from_directory

from service.hardening import add_page_security_headers

PAGES = Path(__file__).resolve().parent / "static" / "dashboard"

blp = Blueprint("dashboard", __name__)
blp.after_request(add_page_security_headers)


@blp.get("/dashboard")
def page() -> Response:
    """The dashboard page (its scripts are same-origin files under /static)."""
    return send_from_directory(PAGES, "index.html", mimetype="text/html", max_age=0)


def init_app(app: Flask) -> None:
    """Serve ``/dashboard``; the ``static`` endpoint (public) serves its assets."""
    app.register_blueprint(blp)
