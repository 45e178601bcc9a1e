"""Request-body parsing: JSON or NDJSON, and 415 for anything else; strict and bounded (service.hardening)."""

from __future__ import annotations

import typing

from flask import Request
from flask_smorest import Blueprint as SmorestBlueprint
from webargs import core
from webargs.flaskparser import FlaskParser, abort

from service.hardening import check_json_size, refuse_invalid_values
from service.limits import parse_json_limited

NDJSON_MIMETYPES = {"application/x-ndjson", "application/ndjson", "application/jsonl"}


class BodyParser(FlaskParser):
    """Like webargs' FlaskParser, but a body in a non-JSON media type is a 415, not an empty object.

    ``application/x-ndjson`` (one JSON value per line) loads as a list, so a batch endpoint accepts
    either a JSON array or NDJSON with the same schema.
    """

    def _raw_load_json(self, req: Request) -> typing.Any:
        mimetype = req.mimetype
        if mimetype in NDJSON_MIMETYPES:
            return self._load_ndjson(req)
        if not core.is_json(mimetype):
            shown = mimetype or "none"
            abort(415, message=f"Send application/json (or application/x-ndjson for batches); got {shown}.")
        body = req.get_data(cache=True)
        if not body.strip():
            abort(400, messages={"json": ["The request body is empty; send a JSON document."]})
        check_json_size(body)  # before any object is built: memory stays bounded by the limits
        value = parse_json_limited(body)
        refuse_invalid_values(value)
        return value

    def _load_ndjson(self, req: Request) -> list[typing.Any]:
        items: list[typing.Any] = []
        bad: dict[int, list[str]] = {}
        body = req.get_data(cache=True)
        check_json_size(body)
        for line_number, line in enumerate(body.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append(parse_json_limited(line))
            except (ValueError, UnicodeDecodeError):
                bad[len(items)] = [f"Line {line_number} is not valid JSON."]
                items.append(None)
        if bad:
            abort(400, messages={"json": bad})
        refuse_invalid_values(items)
        return items


class Blueprint(SmorestBlueprint):
    """flask-smorest Blueprint using ``BodyParser``; every resource module uses this class."""

    ARGUMENTS_PARSER = BodyParser()
