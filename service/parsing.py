"""Request-body parsing: JSON or NDJSON, and 415 for anything else; strict and bounded (service.hardening)."""

from __future__ import annotations

import typing

import marshmallow as ma
from flask import Request
from flask_smorest import Blueprint as SmorestBlueprint
from webargs import core
from webargs.flaskparser import FlaskParser, abort

from service.hardening import check_json_size, refuse_invalid_values
from service.limits import parse_json_limited

NDJSON_MIMETYPES = {"application/x-ndjson", "application/ndjson", "application/jsonl"}
#: Field errors listed in one problem document; the rest are counted in one closing message.
MAX_REPORTED_ERRORS = 1000


def truncate_messages(messages: typing.Any, budget: list[int]) -> typing.Any:
    """The first ``budget[0]`` leaf messages of a nested marshmallow error dict (budget is spent)."""
    if isinstance(messages, dict):
        kept = {}
        for key, value in messages.items():
            if budget[0] <= 0:
                break
            kept[key] = truncate_messages(value, budget)
        return kept
    if isinstance(messages, list) and not any(isinstance(m, dict | list) for m in messages):
        kept_list = messages[: max(budget[0], 0)]
        budget[0] -= len(kept_list)
        return kept_list
    budget[0] -= 1
    return messages


def count_messages(messages: typing.Any) -> int:
    if isinstance(messages, dict):
        return sum(count_messages(value) for value in messages.values())
    if isinstance(messages, list) and not any(isinstance(m, dict | list) for m in messages):
        return len(messages)
    return 1


class BodyParser(FlaskParser):
    """Like webargs' FlaskParser, but a body in a non-JSON media type is a 415, not an empty object.

    ``application/x-ndjson`` (one JSON value per line) loads as a list, so a batch endpoint accepts
    either a JSON array or NDJSON with the same schema.
    """

    def load_json(self, req: Request, schema: ma.Schema) -> typing.Any:
        """The body; a schema with ``CSV_BODY = True`` takes ``text/csv`` instead of JSON."""
        if getattr(schema, "CSV_BODY", False):
            return self.load_csv(req, schema)
        return super().load_json(req, schema)

    def load_csv(self, req: Request, schema: ma.Schema) -> typing.Any:
        """A ``text/csv`` body (UTF-8, a byte-order mark allowed) as ``{"csv": text}``; 415 otherwise."""
        if req.mimetype != "text/csv":
            abort(415, message=f"Send text/csv; got {req.mimetype or 'none'}.")
        try:
            text = req.get_data(cache=True).decode("utf-8-sig")
        except UnicodeDecodeError:
            abort(400, messages={"csv": ["The body is not UTF-8 text."]})
        if not text.strip():
            abort(400, messages={"csv": ["The request body is empty; send a header line and rows."]})
        return {"csv": text}

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
        refuse_invalid_values(value, body)
        return value

    def handle_error(self, error: ma.ValidationError, req: Request, schema: ma.Schema, **kwargs: typing.Any):
        """At most ``MAX_REPORTED_ERRORS`` field errors per answer: a body of 100,000 bad fields
        would otherwise be answered with tens of megabytes of problem details."""
        n_messages = count_messages(error.messages)
        if n_messages > MAX_REPORTED_ERRORS:
            messages = truncate_messages(error.messages, [MAX_REPORTED_ERRORS])
            dropped = f"{n_messages - MAX_REPORTED_ERRORS} more errors are not listed."
            messages = {**messages, "_schema": [*messages.get("_schema", []), dropped]}
            error = ma.ValidationError(messages)
        super().handle_error(error, req, schema, **kwargs)

    def _load_ndjson(self, req: Request) -> list[typing.Any]:
        items: list[typing.Any] = []
        bad: dict[int, list[str]] = {}
        body = req.get_data(cache=True)
        check_json_size(body, ndjson=True)
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
        refuse_invalid_values(items, body)
        return items


class Blueprint(SmorestBlueprint):
    """flask-smorest Blueprint using ``BodyParser``; every resource module uses this class."""

    ARGUMENTS_PARSER = BodyParser()
