"""/v1/limits: the limits this server enforces, read by clients to size batches before sending them."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from service.parsing import Blueprint
from service.schemas.limits import LimitsSchema

blp = Blueprint(
    "limits",
    __name__,
    url_prefix="/v1/limits",
    description="Request limits in force (batch items, body bytes, text characters, page size, rate).",
)

_SETTINGS = (
    "MAX_BATCH_ITEMS",
    "MAX_CONTENT_LENGTH",
    "MAX_JSON_VALUES",
    "MAX_TEXT_CHARS",
    "MAX_CLASSIFY_CHARS",
    "PAGE_SIZE_MAX",
    "MAX_IMPORT_BYTES",
)


@blp.route("")
class Limits(MethodView):
    @blp.response(200, LimitsSchema)
    def get(self):
        """The request limits in force, so a client can split its work before a 413 or 422 says so

        The Python client (`framescope`) reads them once to size article, annotation and classify
        batches by items, bytes and characters.
        """
        config = current_app.config
        limits: dict[str, Any] = {name.lower(): int(config[name]) for name in _SETTINGS}
        enabled = config.get("RATELIMIT_ENABLED", True)
        limits["rate_limit"] = config.get("RATELIMIT_APPLICATION") if enabled else None
        return limits
