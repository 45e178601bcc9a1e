"""Input limits read from the app config at validation time, so deployments can tighten them.

Every refusal names the setting that caused it (``FRAMESCOPE_<NAME>``), so a client (or its admin)
knows which knob to ask about. Body size is enforced by Werkzeug (``MAX_CONTENT_LENGTH`` → 413);
the rest are marshmallow validators (→ 422 naming the field).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, NoReturn

import marshmallow as ma
from flask import Flask, current_app
from webargs.flaskparser import abort
from werkzeug.routing import IntegerConverter, Map, UnicodeConverter


class ConfiguredMax:
    """Validator: ``measure(value) <= app.config[name]``; the error names the limit and its setting."""

    def __init__(self, name: str, *, unit: str, measure: Callable[[Any], int] = len) -> None:
        self.name = name
        self.unit = unit
        self.measure = measure

    def __call__(self, value: Any) -> None:
        limit = int(current_app.config[self.name])
        size = self.measure(value)
        if size > limit:
            raise ma.ValidationError(
                f"At most {limit} {self.unit} (limit FRAMESCOPE_{self.name}); got {size}."
            )


#: Characters of one article's text (or any text sent for classification).
TEXT_LENGTH = ConfiguredMax("MAX_TEXT_CHARS", unit="characters")
#: Items per list page (``limit`` query argument).
PAGE_SIZE = ConfiguredMax("PAGE_SIZE_MAX", unit="items per page", measure=int)
#: Items in one batch request.
BATCH_ITEMS = ConfiguredMax("MAX_BATCH_ITEMS", unit="items per request")
#: A number of articles asked for (``min_articles``): never more than one batch can hold.
ARTICLE_COUNT = ConfiguredMax("MAX_BATCH_ITEMS", unit="articles", measure=int)
#: Characters of an event description.
DESCRIPTION_LENGTH = ConfiguredMax("MAX_DESCRIPTION_CHARS", unit="characters")


def parse_json_limited(data: bytes | str) -> Any:
    """Strict JSON with a nesting cap: what webargs' ``parse_json`` does, minus three ways to a 500.

    Python's parser recurses per nesting level (``[[[[...`` → RecursionError), accepts ``NaN`` and
    ``Infinity`` (not JSON; PostgreSQL's JSON type refuses them later), and raises a plain ValueError
    for integers over 4,300 digits. The first is a 422 naming ``FRAMESCOPE_MAX_JSON_DEPTH``; the other
    two are a 400 like any other invalid JSON.
    """
    limit = int(current_app.config["MAX_JSON_DEPTH"])
    try:
        text = data if isinstance(data, str) else data.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"Bytes decoding error : {exc.reason}"
        raise json.JSONDecodeError(message, str(exc.object), exc.start) from exc
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        _too_deep(limit)
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # e.g. an integer literal over sys.get_int_max_str_digits()
        raise json.JSONDecodeError(str(exc), text or " ", 0) from exc
    if json_depth(value) > limit:
        _too_deep(limit)
    if "\\u0000" in text:
        _refuse_nul(value)
    return value


def _refuse_nul(value: Any) -> None:
    """422 naming the first string (or key) holding U+0000: PostgreSQL cannot store it in text.

    Found by schemathesis on PostgreSQL ("A string literal cannot contain NUL characters", a 500).
    NUL has no place in news text, so it is refused on every backend alike.
    """
    path = nul_path(value)
    if path is None:
        return
    messages: Any = ["Must not contain the NUL character (\\u0000)."]
    for part in reversed(path):
        messages = {part: messages}
    abort(422, messages={"json": messages})


def nul_path(value: Any) -> tuple | None:
    """Path (keys and indexes) to the first string or key containing U+0000, or None."""
    stack: list[tuple[Any, tuple]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str) and "\x00" in item:
            return path
        if isinstance(item, dict):
            for key, child in item.items():
                if "\x00" in key:
                    return (*path, key.replace("\x00", "\\u0000"))
                stack.append((child, (*path, key)))
        elif isinstance(item, list):
            stack.extend((child, (*path, index)) for index, child in enumerate(item))
    return None


def json_depth(value: Any) -> int:
    """Deepest nesting of lists/dicts (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _too_deep(limit: int) -> NoReturn:
    message = f"JSON nested more than {limit} levels (limit FRAMESCOPE_MAX_JSON_DEPTH)."
    abort(422, messages={"json": [message]})


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` URL parts fit a signed 64-bit id column; larger numbers match no route (404).

    Werkzeug's converter accepts any length, and such a number reached the database driver
    ("Python int too large to convert to SQLite INTEGER", a 500; found by schemathesis).
    """

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


class NulFreeStringConverter(UnicodeConverter):
    """``<key>`` / ``<string:key>`` URL parts without U+0000: ``/v1/outlets/a%00b`` matches no route.

    PostgreSQL cannot compare text with NUL in it, so such a key was a 500 there (a 404 on SQLite).
    """

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's name
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\\x00]")


def init_app(app: Flask) -> None:
    """Install the bounded URL converters; must run before any route is registered."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.url_map.converters["default"] = NulFreeStringConverter
    app.url_map.converters["string"] = NulFreeStringConverter
