"""Request-body parsing: JSON or NDJSON, and 415 for anything else."""

from __future__ import annotations

import typing

from flask import Request
from flask_smorest import Blueprint as SmorestBlueprint
from webargs import core
from webargs.flaskparser import FlaskParser, abort

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
        return parse_json_limited(body)

    def _load_ndjson(self, req: Request) -> list[typing.Any]:
        items: list[typing.Any] = []
        bad: dict[int, list[str]] = {}
        for line_number, line in enumerate(req.get_data(cache=True).splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append(parse_json_limited(line))
            except (ValueError, UnicodeDecodeError):
                bad[len(items)] = [f"Line {line_number} is not valid JSON."]
                items.append(None)
        if bad:
            abort(400, messages={"json": bad})
        return items


class Blueprint(SmorestBlueprint):
    """flask-smorest Blueprint using ``BodyParser``; every resource module uses this class."""

    ARGUMENTS_PARSER = BodyParser()
