"""Import jobs: an uploaded CSV or NDJSON file of articles becomes a job that stores and labels them.

The upload (``POST /v1/jobs/import``, the raw file as the body, ``text/csv`` or
``application/x-ndjson``) is streamed to ``<JOB_RESULTS_DIR>/imports/job-<id>.<format>``, so a worker
on another host reads it from the same shared storage; at most ``MAX_IMPORT_BYTES`` (413 above).
The runner reads it record by record from the byte offset its last committed chunk recorded: each
record goes through the article schema of ``POST /v1/articles/batch`` and CSV rows are built as the
CSV batch path builds them (``service.parsing.csv_record``). A bad record is listed in the job's
``errors`` by line and field and skipped; stored articles are deduplicated, so a chunk done again
after a kill stores nothing twice.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import marshmallow as ma
from flask import current_app, request
from sqlalchemy.orm import Session
from webargs.flaskparser import abort
from werkzeug.exceptions import HTTPException

from service.classifying import TextTooLargeError, store_and_classify
from service.errors import flatten_errors
from service.hardening import invalid_value_path
from service.limits import parse_json_limited
from service.parsing import CSV_MIMETYPES, MAX_CSV_COLUMNS, NDJSON_MIMETYPES, csv_record
from service.schemas.articles import ArticleBatchSchema
from service.storage.errors import InvalidItemsError
from service.storage.jobs import create_job
from service.storage.tables import Job

UPLOAD_BLOCK = 1 << 20


class UploadTooLargeError(TextTooLargeError):
    """An import file over ``MAX_IMPORT_BYTES``: 413 naming the limit."""


@dataclass(frozen=True)
class Record:
    """One article of the file: where it starts (line), where the next begins (byte offset, lines)."""

    line: int
    end_offset: int
    end_line: int
    item: dict[str, Any] | None
    errors: list[dict[str, Any]]


def import_dir() -> Path:
    base = current_app.config.get("JOB_RESULTS_DIR") or Path(current_app.instance_path) / "job-results"
    path = Path(base) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_path(job_id: int, format_: str) -> Path:
    return import_dir() / f"job-{job_id}.{format_}"


def upload_format() -> str:
    """``csv`` or ``ndjson`` from the request's media type (415 for anything else)."""
    if request.mimetype in CSV_MIMETYPES:
        return "csv"
    if request.mimetype in NDJSON_MIMETYPES:
        return "ndjson"
    got = request.mimetype or "none"
    abort(415, message=f"Send the file as text/csv or application/x-ndjson; got {got}.")
    raise AssertionError  # pragma: no cover - abort raises


def save_upload(path: Path, format_: str) -> int:
    """Stream the request body to ``path`` (never whole in memory); its size in bytes.

    413 before reading when ``Content-Length`` is over ``MAX_IMPORT_BYTES``, or as soon as the
    streamed body passes it; 422 for an empty file or (CSV) a header the article schema does not know.
    """
    limit = int(current_app.config["MAX_IMPORT_BYTES"])
    if (request.content_length or 0) > limit:
        _too_large(request.content_length, limit)
    request.max_content_length = limit  # this route's own limit, instead of MAX_CONTENT_LENGTH
    size = 0
    partial = path.with_suffix(path.suffix + ".part")
    try:
        with open(partial, "wb") as out:
            while block := request.stream.read(UPLOAD_BLOCK):
                size += len(block)
                if size > limit:
                    _too_large(size, limit)
                out.write(block)
        if not size:
            detail = "The file is empty; send a header line and rows (CSV) or one article per line."
            raise InvalidItemsError([{"field": "body", "location": "body", "detail": detail}], detail)
        if format_ == "csv":
            check_header(read_header(partial))
    except BaseException:  # refused, or the client went away: no half file is left behind
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)
    return size


def start_import(session: Session, *, create_missing: bool) -> Job:
    """A queued ``import`` job with the request's file saved where every worker can read it."""
    format_ = upload_format()
    job = create_job(session, "import", {"format": format_, "create_missing": create_missing})
    job.params = {**job.params, "bytes": save_upload(upload_path(job.id, format_), format_)}
    session.flush()
    return job


def _too_large(size: int, limit: int) -> None:
    raise UploadTooLargeError(
        f"The file has {size} bytes or more; at most {limit} per import (limit FRAMESCOPE_MAX_IMPORT_BYTES).",
        [{"field": "body", "detail": f"{size} > {limit} bytes"}],
    )


def read_header(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
        return [name.strip() for name in next(csv.reader(f), [])]


def check_header(header: list[str]) -> None:
    """422 naming the columns the article shape does not have (every row would fail otherwise)."""
    known = set(ArticleBatchSchema().fields)
    unknown = [name for name in header if name not in known]
    if len(header) > MAX_CSV_COLUMNS:
        detail = f"At most {MAX_CSV_COLUMNS} columns per CSV table; the header has {len(header)}."
        raise InvalidItemsError([{"field": "body", "location": "body", "detail": detail}], detail)
    if unknown or not header:
        detail = f"Unknown column(s) {', '.join(unknown) or '(none)'}; known: {', '.join(sorted(known))}."
        names = unknown or ["body"]
        raise InvalidItemsError(
            [{"field": name, "location": "body", "detail": detail} for name in names], detail
        )


def count_records(path: Path, format_: str) -> int:
    """How many records the file holds (the job's ``total``): non-blank lines, or CSV rows."""
    if format_ == "ndjson":
        with open(path, "rb") as f:
            return sum(1 for line in f if line.strip())
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        return sum(1 for cells in csv.reader(f) if any(c.strip() for c in cells)) - 1


def read_records(path: Path, format_: str, *, offset: int, line: int) -> Iterator[Record]:
    """Records from byte ``offset`` (line ``line`` already read), each validated like a batch item."""
    schema = ArticleBatchSchema()
    with open(path, "rb") as f:
        if format_ == "csv":
            header = read_header(path)
            if offset == 0:
                offset, line = len(f.readline()), 1
            f.seek(offset)
            yield from _csv_records(f, header, schema, offset, line)
            return
        f.seek(offset)
        for raw in iter(f.readline, b""):
            offset, line = offset + len(raw), line + 1
            if raw.strip():
                yield _validated(schema, line, offset, line, *_json_line(raw))


def _csv_records(f: Any, header: list[str], schema: ma.Schema, offset: int, line: int) -> Iterator[Record]:
    position = [offset, line]

    def lines() -> Iterator[str]:
        for raw in iter(f.readline, b""):
            position[0] += len(raw)
            position[1] += 1
            yield raw.decode("utf-8", errors="replace")

    start = line + 1
    try:
        for cells in csv.reader(lines()):
            if any(cell.strip() for cell in cells):
                item, errors = csv_record(header, cells), []
                if item is None:
                    errors = [{"field": None, "detail": "The row has more cells than the header."}]
                elif any("\ufffd" in cell for cell in cells):
                    item, errors = None, [{"field": None, "detail": "The row is not UTF-8 text."}]
                yield _validated(schema, start, position[0], position[1], item, errors)
            start = position[1] + 1
    except csv.Error as exc:
        error = {"field": None, "detail": f"Not valid CSV: {exc}"}
        yield Record(start, position[0], position[1], None, [error])


def _json_line(raw: bytes) -> tuple[Any, list[dict[str, Any]]]:
    try:
        value = parse_json_limited(raw)
    except HTTPException as exc:  # too deep, or NUL: the same refusals as the batch endpoint
        messages = (getattr(exc, "data", None) or {}).get("messages") or {"json": [exc.description]}
        return None, [{"field": e.get("field"), "detail": e["detail"]} for e in flatten_errors(messages)]
    except (ValueError, UnicodeDecodeError):
        return None, [{"field": None, "detail": "Not valid JSON."}]
    found = invalid_value_path(value)
    if found is not None:
        path, detail = found
        return None, [{"field": ".".join(map(str, path)) or None, "detail": detail}]
    return value, []


def _validated(
    schema: ma.Schema, line: int, end_offset: int, end_line: int, value: Any, errors: list[dict[str, Any]]
) -> Record:
    if errors:
        return Record(line, end_offset, end_line, None, errors)
    try:
        return Record(line, end_offset, end_line, schema.load(value), [])
    except ma.ValidationError as exc:
        found = [{"field": e.get("field"), "detail": e["detail"]} for e in flatten_errors(exc.messages)]
        return Record(line, end_offset, end_line, None, found)


def store_records(
    session: Session, records: list[Record], *, create_missing: bool
) -> tuple[int, list[dict[str, Any]]]:
    """Store and label the valid records (one transaction, the caller's); how many were new, and one
    ``{line, field, detail}`` per error (invalid records, and outlets or events not found)."""
    errors = [{"line": r.line, **error} for r in records for error in r.errors]
    valid = [r for r in records if r.item is not None]
    if not valid:
        return 0, errors
    try:
        with session.begin_nested():
            result = store_and_classify(session, [r.item for r in valid], create_missing=create_missing)
    except InvalidItemsError as exc:  # unknown outlet or event: those records are skipped
        unknown = {error["index"] for error in exc.errors or []}
        for error in exc.errors or []:
            line = valid[error["index"]].line
            errors.append({"line": line, "field": error.get("field"), "detail": error["detail"]})
        valid = [r for i, r in enumerate(valid) if i not in unknown]
        if not valid:
            return 0, sorted(errors, key=lambda e: e["line"])
        result = store_and_classify(session, [r.item for r in valid], create_missing=create_missing)
    return result.n_created, sorted(errors, key=lambda e: e["line"])
