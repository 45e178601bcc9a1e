"""One error path: every failure becomes RFC 9457 ``application/problem+json``.

``ProblemApi.handle_http_exception`` renders HTTP errors (404, 405, 413, 415, 422, ...); the
``DOMAIN_ERRORS`` table maps library exceptions to statuses; anything else is logged with the request
id and answered with a bare 500 that never carries a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, g, json, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException, InternalServerError

from service.classifying import TextTooLargeError
from service.schemas.common import ProblemSchema
from service.storage.errors import ConflictError, InvalidItemsError, NotFoundError

PROBLEM_MIMETYPE = "application/problem+json"
log = logging.getLogger("framescope.errors")

# Library exception -> HTTP status. Subclasses inherit their base's entry (checked in MRO order).
DOMAIN_ERRORS: dict[type[Exception], int] = {
    NotFoundError: 404,
    ConflictError: 409,
    InvalidItemsError: 422,
    TextTooLargeError: 413,
}
try:  # the classifier and comparison packages may not exist yet in every checkout
    from classifiers import ClassifierError  # type: ignore[attr-defined]

    DOMAIN_ERRORS[ClassifierError] = 422
except ImportError:  # pragma: no cover
    pass
try:
    from comparison import ComparisonError  # type: ignore[attr-defined]

    DOMAIN_ERRORS[ComparisonError] = 422
except ImportError:  # pragma: no cover
    pass


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    errors: list[dict] | None = None,
    headers: dict[str, str] | None = None,
    type_: str = "about:blank",
) -> Response:
    """Build the problem document; ``instance`` is the request path, ``request_id`` joins it to logs."""
    body: dict[str, Any] = {"type": type_, "title": HTTPStatus(status).phrase, "status": status}
    if detail:
        body["detail"] = detail
    body["instance"] = request.path
    body["request_id"] = g.get("request_id")
    if errors is not None:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


class ProblemApi(Api):
    """flask-smorest ``Api`` whose single error handler speaks RFC 9457."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_RESPONSE_CONTENT_TYPE = "application/json"

    def _register_responses(self) -> None:
        """Document the default error responses as ``application/problem+json`` (what clients get)."""
        for status in HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["content"] = {PROBLEM_MIMETYPE: {"schema": self.ERROR_SCHEMA}}
            self.spec.components.response(status.name, response, lazy=True)
        self.spec.components.response(
            "DEFAULT_ERROR",
            {
                "description": "Default error response",
                "content": {PROBLEM_MIMETYPE: {"schema": self.ERROR_SCHEMA}},
            },
            lazy=True,
        )

    def handle_http_exception(self, error: HTTPException) -> Response:
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        headers.update(data.get("headers") or {})
        if status >= 500 and not data:
            original = getattr(error, "original_exception", None) or error
            log.error("unhandled error", exc_info=(type(original), original, original.__traceback__))
            return problem_response(
                status, "The server failed; quote the request id when reporting it.", headers=headers
            )
        detail = data.get("message") or error.description
        if status == 413 and not data.get("message"):
            limit = current_app.config.get("MAX_CONTENT_LENGTH")
            detail = f"The request body is over the {limit}-byte limit (FRAMESCOPE_MAX_CONTENT_LENGTH)."
        raw_errors = data.get("errors") or data.get("messages")
        if raw_errors is not None:
            errors = list(flatten_errors(raw_errors))
            if status == 400 and any(e.get("location") == "json" for e in errors):
                return problem_response(
                    400, "The request body is not valid JSON.", errors=errors, headers=headers
                )
            detail = data.get("message") or f"The request has {len(errors)} invalid field(s)."
            return problem_response(status, detail, errors=errors, headers=headers)
        return problem_response(status, detail, headers=headers)


def flatten_errors(messages: Any, path: tuple = ()) -> Iterator[dict[str, Any]]:
    """Turn webargs/marshmallow nested messages into a flat list naming location, index and field.

    ``{"json": {3: {"url": ["Not a valid URL."]}}}`` becomes
    ``[{"location": "json", "index": 3, "field": "url", "pointer": "/3/url", "detail": "Not a valid URL."}]``.
    Lists of already-flat dicts (storage ``InvalidItemsError``) pass through.
    """
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from flatten_errors(value, (*path, key))
        return
    if isinstance(messages, list) and messages and all(isinstance(m, dict) for m in messages):
        for item in messages:
            if "detail" in item:
                yield dict(item)
            else:
                yield from flatten_errors(item, path)
        return
    details = messages if isinstance(messages, list) else [messages]
    location = path[0] if path and path[0] in {"json", "query", "path", "headers", "form", "files"} else None
    rest = path[1:] if location else path
    index = next((p for p in rest if isinstance(p, int)), None)
    names = [str(p) for p in rest if not isinstance(p, int) and p != "_schema"]
    for detail in details:
        entry: dict[str, Any] = {"field": ".".join(names) or None, "detail": str(detail)}
        if location:
            entry["location"] = location
        if index is not None:
            entry["index"] = index
        entry["pointer"] = "/" + "/".join(str(p) for p in rest if p != "_schema")
        yield entry


def init_app(app: Flask, api: ProblemApi) -> None:
    """Register the domain-error table and the catch-all (one place, no per-blueprint handlers)."""

    def handle_domain_error(error: Exception) -> Response:
        status = next(code for cls, code in DOMAIN_ERRORS.items() if isinstance(error, cls))
        return problem_response(status, str(error), errors=getattr(error, "errors", None))

    for cls in DOMAIN_ERRORS:
        app.register_error_handler(cls, handle_domain_error)

    def handle_unexpected(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return api.handle_http_exception(error)
        wrapped = InternalServerError(original_exception=error)
        return api.handle_http_exception(wrapped)

    app.register_error_handler(Exception, handle_unexpected)
