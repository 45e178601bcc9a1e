"""CSV upload of outlet attributes: a header (``key`` or ``name``, then attribute columns) and one row
per outlet, validated like the JSON ``attributes`` field, every bad cell named by row and column."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import marshmallow as ma
from marshmallow import fields

from service.schemas.attributes import ATTRIBUTE_KEY, BUILT_IN, check_attributes
from service.storage.errors import InvalidItemsError

CSV_EXAMPLE = "key,type,leaning\neastern-wire,state-aligned,right\nharbour-gazette,independent,\n"
MAX_ROWS = 10_000
_KEY = re.compile(ATTRIBUTE_KEY)


def _error(row: int, column: str | None, detail: str) -> dict[str, Any]:
    return {"location": "csv", "row": row, "field": column, "detail": detail}


def parse_attribute_rows(text: str) -> tuple[str, list[dict[str, Any]]]:
    """``(identifier column, rows)``; each row ``{"row", "outlet", "set", "unset"}``. Rows are numbered as
    lines of the file (the header is row 1). Raises ``InvalidItemsError`` listing every bad cell."""
    lines = list(csv.reader(io.StringIO(text)))
    header = [h.strip() for h in lines[0]] if lines else []
    errors = []
    if not header or header[0] not in ("key", "name"):
        errors.append(_error(1, header[0] if header else None, "The first column must be `key` or `name`."))
    attributes = header[1:]
    for column in attributes:
        if not _KEY.fullmatch(column) or column in BUILT_IN:
            detail = f"Not an attribute name (`{ATTRIBUTE_KEY}`; country and language are outlet fields)."
            errors.append(_error(1, column, detail))
    if len(set(header)) < len(header):
        errors.append(_error(1, None, "Column names repeat."))
    if len(lines) - 1 > MAX_ROWS:
        errors.append(_error(MAX_ROWS + 2, None, f"At most {MAX_ROWS} rows per upload."))
    if errors:
        raise InvalidItemsError(errors, "The CSV header is invalid; nothing was changed.")
    rows, seen = [], {}
    for number, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            continue  # blank lines (e.g. a trailing one) carry nothing
        if len(cells) != len(header):
            errors.append(_error(number, None, f"{len(cells)} cells; the header has {len(header)}."))
            continue
        outlet = cells[0].strip()
        if not outlet:
            errors.append(_error(number, header[0], "Name the outlet."))
        elif outlet in seen:
            errors.append(_error(number, header[0], f"{outlet!r} is also on row {seen[outlet]}."))
        seen.setdefault(outlet, number)
        given = {c: v.strip() for c, v in zip(attributes, cells[1:], strict=True) if v.strip()}
        try:
            check_attributes(given)
        except ma.ValidationError as exc:
            for message in exc.messages if isinstance(exc.messages, list) else [exc.messages]:
                column = next((c for c in given if str(message).startswith(repr(c))), None)
                errors.append(_error(number, column, str(message)))
        rows.append({"row": number, "outlet": outlet, "set": given, "unset": set(attributes) - set(given)})
    if errors:
        raise InvalidItemsError(errors)
    return header[0], rows


class OutletAttributesCsvSchema(ma.Schema):
    """The CSV text (the parser hands a ``text/csv`` body over as ``csv``, see ``BodyParser.load_csv``)."""

    CSV_BODY = True
    csv = fields.String(required=True)

    @ma.post_load
    def parse(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        column, rows = parse_attribute_rows(data["csv"])
        return {"by": column, "rows": rows}


class AttributesUploadArgsSchema(ma.Schema):
    create_missing = fields.Boolean(
        load_default=False,
        metadata={"description": "Create outlets named in a `key` column that do not exist (name = key)."},
    )


class AttributesUploadResultSchema(ma.Schema):
    n_rows = fields.Integer()
    n_updated = fields.Integer(metadata={"description": "Outlets whose attributes changed."})
    n_created = fields.Integer()
    outlets = fields.List(fields.String(), metadata={"description": "Outlet keys, in row order."})
