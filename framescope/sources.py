"""Read articles to import from CSV, NDJSON/JSONL, a JSON array, or a folder of saved HTML pages.

Each record says where it came from (``line 12``, ``item 3``, ``page.html``) so the import summary can
name it, carries a hash of its raw form (so a resumed import can check the file did not change
under it), and either the article or the reason it cannot be sent.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HTML_SUFFIXES = (".html", ".htm")
LINE_SUFFIXES = (".ndjson", ".jsonl")
#: Export columns that name an outlet attribute: ``outlet_attr_<key>`` -> ``outlet_attributes[key]``.
ATTRIBUTE_PREFIX = "outlet_attr_"
CSV_CELL_LIMIT = 64 * 1024 * 1024


@dataclass(frozen=True)
class Record:
    where: str
    digest: bytes
    article: dict[str, Any] | None = None
    problem: str | None = None


class SourceError(ValueError):
    """The source cannot be read at all (no such file, unknown format)."""


def source_kind(path: Path) -> str:
    if path.is_dir():
        return "html"
    if not path.exists():
        raise SourceError(f"{path}: no such file or folder")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in LINE_SUFFIXES:
        return "ndjson"
    if suffix == ".json":
        return "json"
    raise SourceError(
        f"{path}: unknown format {suffix!r}; use .csv, .ndjson, .jsonl, .json or a folder of .html"
    )


def count_records(path: Path) -> int | None:
    """How many records (for the progress bar), cheaply: lines, rows, files; None if unknown."""
    kind = source_kind(path)
    if kind == "html":
        return len(html_files(path))
    if kind == "ndjson":
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())
    if kind == "csv":
        _allow_long_cells()
        with path.open(encoding="utf-8-sig", newline="") as handle:
            try:
                return max(sum(1 for _ in csv.reader(handle)) - 1, 0)
            except (csv.Error, UnicodeDecodeError):
                return None  # reading the records says where
    return None


def read_records(path: Path, defaults: Mapping[str, Any], renames: Mapping[str, str]) -> Iterator[Record]:
    """The records of ``path`` in a fixed order, each with ``defaults`` filled in and fields renamed."""
    readers = {"csv": _csv, "ndjson": _ndjson, "json": _json_array, "html": _html_folder}
    for record in readers[source_kind(path)](path):
        if record.article is None:
            yield record
            continue
        article = {renames.get(k, k): v for k, v in record.article.items()}
        for name, value in defaults.items():
            if value is not None and article.get(name) in (None, ""):
                article[name] = value
        yield Record(record.where, record.digest, article)


def _digest(raw: bytes) -> bytes:
    return hashlib.sha256(raw).digest()


def _object(where: str, raw: bytes, value: Any) -> Record:
    if not isinstance(value, dict):
        return Record(where, _digest(raw), problem=f"not a JSON object ({type(value).__name__})")
    return Record(where, _digest(raw), value)


def _ndjson(path: Path) -> Iterator[Record]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"line {number}"
            try:
                value = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                yield Record(where, _digest(line), problem=f"not valid JSON ({exc})")
                continue
            yield _object(where, line, value)


def _json_array(path: Path) -> Iterator[Record]:
    try:
        value = json.loads(path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: not valid JSON ({exc})") from exc
    items = value if isinstance(value, list) else [value]
    for index, item in enumerate(items):
        raw = json.dumps(item, sort_keys=True).encode("utf-8")
        yield _object(f"item {index}", raw, item)


def _csv(path: Path) -> Iterator[Record]:
    """Rows as articles: empty cells left out, ``outlet_attr_<key>`` columns (as exports write them) and
    an ``outlet_attributes`` JSON cell become ``outlet_attributes``. Rows are named by the file's line
    (the header is line 1). A file csv cannot read (not UTF-8, a NUL byte) stops at that line."""
    _allow_long_cells()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            yield from _csv_records(reader)
        except (csv.Error, UnicodeDecodeError) as exc:
            where = f"line {reader.line_num + 1}"
            raise SourceError(f"{path}: {where}: not readable as UTF-8 CSV ({exc})") from exc


def _csv_records(reader: Any) -> Iterator[Record]:
    header = next(reader, None)
    if header is None:
        return
    header = [name.strip() for name in header]
    start = reader.line_num + 1
    for row in reader:
        where = f"line {start}"
        start = reader.line_num + 1
        raw = "\x1f".join(row).encode("utf-8")
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield Record(where, _digest(raw), problem=f"{len(row)} cells for {len(header)} columns")
            continue
        yield _csv_article(where, raw, dict(zip(header, row, strict=True)))


def _allow_long_cells() -> None:
    """csv's default cell limit is 131,072 characters; an article text may be 500,000 (the server's
    ``max_text_chars``) and saved pages more."""
    if csv.field_size_limit() < CSV_CELL_LIMIT:
        csv.field_size_limit(CSV_CELL_LIMIT)


def _csv_article(where: str, raw: bytes, row: dict[str, str]) -> Record:
    article: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    for name, cell in row.items():
        if cell == "" or not name:
            continue
        if name.startswith(ATTRIBUTE_PREFIX):
            attributes[name[len(ATTRIBUTE_PREFIX) :]] = cell
        elif name == "outlet_attributes":
            try:
                attributes.update(json.loads(cell))
            except (json.JSONDecodeError, TypeError, ValueError):
                return Record(where, _digest(raw), problem="outlet_attributes: not a JSON object")
        else:
            article[name] = cell
    if attributes:
        article["outlet_attributes"] = attributes
    return Record(where, _digest(raw), article)


def html_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in HTML_SUFFIXES)


def _html_folder(folder: Path) -> Iterator[Record]:
    """Each saved page is sent whole as ``html``; the server extracts text, title, date and author."""
    for path in html_files(folder):
        raw = path.read_bytes()
        try:
            page = raw.decode("utf-8")
        except UnicodeDecodeError:
            page = raw.decode("latin-1")
        yield Record(path.name, _digest(raw), {"html": page})
