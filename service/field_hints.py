""" "Did you mean" for unknown fields: ``published`` -> ``published_at``.

marshmallow answers an unknown field with "Unknown field." and nothing else; researchers' files
use their own column names (``published``, ``headline``, ``body``, ``source``), so the problem
document says which accepted field is meant, or lists the accepted ones.
"""

from __future__ import annotations

import difflib
from typing import Any

import marshmallow as ma
from marshmallow import fields

UNKNOWN = "Unknown field."
#: Names people use for article fields, mapped to ours (checked before spelling similarity).
SYNONYMS = {
    "published": "published_at",
    "date": "published_at",
    "pubdate": "published_at",
    "publication_date": "published_at",
    "published_date": "published_at",
    "datetime": "published_at",
    "headline": "title",
    "body": "text",
    "content": "text",
    "article": "text",
    "source": "outlet",
    "outlet_name": "outlet",
    "publisher": "outlet",
    "medium": "outlet",
    "link": "url",
    "lang": "language",
    "byline": "author",
    "page": "html",
}


def suggest_field(name: str, accepted: list[str]) -> str:
    """The message for an unknown field ``name``, naming the accepted field it most likely means."""
    lowered = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    guess = SYNONYMS.get(lowered) if SYNONYMS.get(lowered) in accepted else None
    if guess is None and lowered in accepted:
        guess = lowered
    if guess is None:
        close = difflib.get_close_matches(lowered, accepted, n=1, cutoff=0.75)
        guess = close[0] if close else None
    if guess is not None:
        return f"Unknown field. Did you mean '{guess}'?"
    return f"Unknown field. Accepted: {', '.join(sorted(accepted))}."


def add_field_hints(schema: ma.Schema, messages: Any) -> Any:
    """``messages`` (marshmallow's nested error dict for ``schema``) with hints on unknown fields.

    Walks list indexes (``many``) and nested schemas (``Nested``, ``List(Nested)``) alongside the
    messages, so a field deep in ``/v1/compare``'s ``articles`` gets its hint too.
    """
    if not isinstance(messages, dict):
        return messages
    accepted = [f.data_key or name for name, f in schema.fields.items() if not f.dump_only]
    by_key = {f.data_key or name: f for name, f in schema.fields.items()}
    hinted: dict[Any, Any] = {}
    for key, value in messages.items():
        if isinstance(key, int):
            hinted[key] = add_field_hints(schema, value)
        elif value == [UNKNOWN] and key not in by_key:
            hinted[key] = [suggest_field(key, accepted)]
        elif key in by_key and (nested := _nested_schema(by_key[key])) is not None:
            hinted[key] = add_field_hints(nested, value)
        else:
            hinted[key] = value
    return hinted


def _nested_schema(field: fields.Field) -> ma.Schema | None:
    if isinstance(field, fields.List):
        field = field.inner
    return field.schema if isinstance(field, fields.Nested) else None
