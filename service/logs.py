"""Structured (one JSON object per line) logs with a request id on every record."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from typing import Any

from flask import Flask, Response, g, has_request_context, request

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,128}$")
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Render a record as JSON; extra fields passed with ``extra=`` become top-level keys."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context() and "request_id" in g:
            entry["request_id"] = g.request_id
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


JsonFormatter.converter = time.gmtime


def configure_logging(app: Flask) -> None:
    """Send ``framescope.*`` logs to stderr (JSON unless ``FRAMESCOPE_LOG_JSON=false``); idempotent."""
    logger = logging.getLogger("framescope")
    logger.setLevel(app.config["LOG_LEVEL"])
    if not any(getattr(h, "_framescope", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler._framescope = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.propagate = False
    for handler in logger.handlers:
        if getattr(handler, "_framescope", False):
            handler.setFormatter(
                JsonFormatter()
                if app.config["LOG_JSON"]
                else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
            )


def init_app(app: Flask) -> None:
    """Give each request an id (honouring a sane incoming ``X-Request-ID``) and log one access line."""
    configure_logging(app)
    access = logging.getLogger("framescope.access")

    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers["X-Request-ID"] = request_id
        duration_ms = round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1)
        access.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
        return response
