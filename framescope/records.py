"""Input conversion: DataFrames and dicts with pandas/numpy/datetime values into plain JSON records."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import pandas as pd


def records(data: pd.DataFrame | Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: missing cells (NaN/None/NaT) are left out, timestamps become ISO 8601,
    numpy scalars plain Python values."""
    rows = data.to_dict(orient="records") if isinstance(data, pd.DataFrame) else list(data)
    return [{str(k): plain(v) for k, v in row.items() if not is_missing(v)} for row in rows]


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(pd.isna(value)) if not isinstance(value, list | dict | tuple | str) else False
    except (TypeError, ValueError):
        return False


def plain(value: Any) -> Any:
    """A value json.dumps accepts."""
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, list | dict | str):
        return value.item()  # numpy scalar
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items() if not is_missing(v)}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


#: What /v1/classify reads of an article; the rest of a stored-article record (outlet, url, ...) is left out.
CLASSIFY_FIELDS = ("title", "text", "html", "target")
#: What /v1/compare reads of an article.
COMPARE_FIELDS = ("id", "outlet", "outlet_attributes", "title", "text", "html", "published_at", "event")


def classify_item(row: Mapping[str, Any], target: str | None) -> dict[str, Any]:
    item = {k: row[k] for k in CLASSIFY_FIELDS if k in row}
    if target:
        item["target"] = target
    return item


def compare_item(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in COMPARE_FIELDS if k in row}
