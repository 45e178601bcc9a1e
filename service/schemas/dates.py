"""Publication dates as researchers have them: a full timestamp, a day, a month or a year.

Collections often know only "2024-11" (a monthly archive) or "2024-11-05" (a print edition).
Such a date is stored as the start of its period (UTC) together with its precision, so nothing
pretends to know an hour it does not, and filters and trends still work on one column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from marshmallow import fields

PRECISIONS = ("year", "month", "day", "datetime")
_PARTIAL = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_SLASHED = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
HINT = (
    "Use ISO 8601: '2024-11-05T14:30:00Z' (a time; no offset means UTC), '2024-11-05' (a day), "
    "'2024-11' (a month) or '2024' (a year)."
)


@dataclass(frozen=True)
class PartialDate:
    """When an article was published (``at``: start of the period, UTC) and how precisely it is known."""

    at: datetime
    precision: str


def parse_published(value: str) -> PartialDate:
    """``PartialDate`` for an ISO 8601 year, month, day or date-time; ``ValueError`` with a hint otherwise."""
    text = value.strip()
    match = _PARTIAL.fullmatch(text)
    if match:
        year, month, day = (int(part) if part else None for part in match.groups())
        precision = "day" if day else "month" if month else "year"
        try:
            return PartialDate(datetime(year, month or 1, day or 1, tzinfo=UTC), precision)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a calendar date ({exc}). {HINT}") from None
    try:
        at = datetime.fromisoformat(text.replace("z", "Z")) if len(text) >= 13 else None
    except ValueError:
        at = None
    if at is None:
        raise ValueError(f"Not a valid date: {value[:40]!r}. {_hint_for(text)}")
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return PartialDate(at, "datetime")


def _hint_for(text: str) -> str:
    """The general hint, plus the ISO spelling when the value is a day/month/year with slashes."""
    slashed = _SLASHED.fullmatch(text)
    if slashed:
        first, second, year = slashed.groups()
        if int(first) > 12 or int(second) > 12 or first == second:
            day, month = (first, second) if int(first) > 12 else (second, first)
            return f"Write it as '{year}-{int(month):02d}-{int(day):02d}'. {HINT}"
        return (
            f"Day and month order is ambiguous: '{year}-{int(second):02d}-{int(first):02d}' "
            f"(day first) or '{year}-{int(first):02d}-{int(second):02d}' (month first)? {HINT}"
        )
    return HINT


class PublishedAt(fields.Field):
    """A date-time, day, month or year. Loads as :class:`PartialDate`, or as the period's start
    (a ``datetime``) with ``keep_precision=False`` (range filters)."""

    def __init__(self, *, keep_precision: bool = True, **kwargs: Any) -> None:
        metadata = {
            "type": "string",
            "description": "ISO 8601 date-time, day (`2024-11-05`), month (`2024-11`) or year; "
            "no offset means UTC.",
            "example": "2024-11-05",
        } | kwargs.pop("metadata", {})
        super().__init__(metadata=metadata, **kwargs)
        self.keep_precision = keep_precision

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str):
            raise ma.ValidationError(f"Send the date as a string. {HINT}")
        try:
            parsed = parse_published(value)
        except ValueError as exc:
            raise ma.ValidationError(str(exc)) from None
        return parsed if self.keep_precision else parsed.at

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else value.isoformat()
