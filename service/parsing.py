"""Request-body parsing: JSON or NDJSON, and 415 for anything else; strict and bounded (service.hardening)."""

from __future__ import annotations

import csv
import io
import json
import typing

import marshmallow as ma
import yaml
from flask import Request, current_app
from flask_smorest import Blueprint as SmorestBlueprint
from webargs import core
from webargs.flaskparser import FlaskParser, abort

from service.field_hints import add_field_hints
from service.hardening import check_json_size, refuse_invalid_values
from service.limits import parse_json_limited

NDJSON_MIMETYPES = {"application/x-ndjson", "application/ndjson", "application/jsonl"}
YAML_MIMETYPES = {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}
CSV_MIMETYPES = {"text/csv"}
#: Columns of one uploaded CSV table.
MAX_CSV_COLUMNS = 64
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

    ACCEPTED = "application/json (or application/x-ndjson for batches)"

    def __init__(self, *args: typing.Any, **kwargs: typing.Any) -> None:
        super().__init__(*args, **kwargs)
        self._schemas: dict[type[ma.Schema], ma.Schema] = {}

    def _get_schema(self, argmap: typing.Any, req: Request) -> ma.Schema:
        """One instance per schema class, built on first use: webargs builds a new one per request
        (two per ``POST /v1/classify``, ~3% of its CPU) and a marshmallow 4 schema keeps no state
        between loads, so threads can share it."""
        if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            if argmap not in self._schemas:
                self._schemas[argmap] = argmap()
            return self._schemas[argmap]
        return super()._get_schema(argmap, req)

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
            abort(415, message=f"Send {self.ACCEPTED}; got {shown}.")
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
        if isinstance(error.messages, dict):  # {location: messages}: "did you mean" on unknown fields
            hinted = {where: add_field_hints(schema, found) for where, found in error.messages.items()}
            error = ma.ValidationError(hinted)
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


class UploadParser(BodyParser):
    """``BodyParser`` that also reads YAML documents (codebook uploads) and CSV tables (imports).

    A CSV body loads as a list of row dicts keyed by the header (empty cells left out), so a batch
    schema validates it exactly like a JSON array; ``index`` in errors is the data row (0-based).
    """

    ACCEPTED = "application/json, application/x-ndjson, application/yaml or text/csv"

    def _raw_load_json(self, req: Request) -> typing.Any:
        if req.mimetype in YAML_MIMETYPES:
            return load_yaml_body(req.get_data(cache=True))
        if req.mimetype in CSV_MIMETYPES:
            return load_csv_body(req.get_data(cache=True))
        return super()._raw_load_json(req)


def _text_of(body: bytes) -> str:
    if not body.strip():
        abort(400, messages={"json": ["The request body is empty."]})
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        abort(400, messages={"json": ["The body is not UTF-8 text."]})
        raise  # pragma: no cover - abort raises


def load_yaml_body(body: bytes) -> typing.Any:
    """A YAML document (safe loader), at most ``MAX_YAML_BYTES``; anchors/aliases are refused.

    Aliases let a few hundred bytes expand into billions of values once the document is walked.
    """
    limit = int(current_app.config["MAX_YAML_BYTES"])
    if len(body) > limit:
        abort(413, message=f"A YAML body may have at most {limit} bytes (limit FRAMESCOPE_MAX_YAML_BYTES).")
    text = _text_of(body)
    try:
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=yaml.SafeLoader)):
            abort(400, messages={"json": ["YAML aliases (*name) are not accepted."]})
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        abort(400, messages={"json": [f"The body is not valid YAML: {exc}"]})
    # As JSON would have it: string keys, dates as text; then non-finite numbers (.inf) are refused.
    value = json.loads(json.dumps(value, default=str))
    refuse_invalid_values(value, b"\\ud")
    return value


def load_csv_body(body: bytes) -> list[dict[str, str]]:
    """Rows of a CSV table with a header line, as dicts without the empty cells.

    At most ``MAX_BATCH_ITEMS`` rows and ``MAX_CSV_COLUMNS`` columns, counted before rows are built.
    """
    text = _text_of(body)
    limit = int(current_app.config["MAX_BATCH_ITEMS"])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
        if len(header) > MAX_CSV_COLUMNS:
            abort(422, messages={"json": [f"At most {MAX_CSV_COLUMNS} columns per CSV table."]})
        rows: list[dict[str, str]] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == limit:
                message = f"At most {limit} rows per request (limit FRAMESCOPE_MAX_BATCH_ITEMS)."
                abort(422, messages={"json": [message]})
            row = csv_record(header, cells)
            if row is None:
                abort(
                    400,
                    messages={"json": {len(rows): [f"Row {len(rows) + 1} has more cells than the header."]}},
                )
            rows.append(row)
    except csv.Error as exc:
        abort(400, messages={"json": [f"The body is not valid CSV: {exc}"]})
    return rows


def csv_record(header: list[str], cells: list[str]) -> dict[str, str] | None:
    """One CSV row as the dict a batch item is (empty cells left out); None if it has extra cells.

    The CSV batch body and import jobs (service/importing.py) both build rows here.
    """
    if len(cells) > len(header):
        return None
    return {name: cell for name, cell in zip(header, cells, strict=False) if cell.strip()}


class UploadBlueprint(Blueprint):
    """Blueprint for resources that take uploads (codebooks as YAML, annotations as CSV)."""

    ARGUMENTS_PARSER = UploadParser()
