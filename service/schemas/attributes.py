"""Outlet attributes (what ``group_by`` reads): flat string values under short keys, capped in size."""

from __future__ import annotations

import re
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

ATTRIBUTE_KEY = r"^[a-z][a-z0-9_]{0,31}$"
MAX_ATTRIBUTES = 20
MAX_VALUE_CHARS = 100
BUILT_IN = ("country", "language")  # outlet columns, also usable as group_by
_KEY_RE = re.compile(ATTRIBUTE_KEY)
EXAMPLE = {"type": "state-aligned", "leaning": "right"}


def check_attributes(value: dict[str, Any]) -> None:
    """At most 20 keys like ``leaning`` or ``owner_type``, each with a 1-100 character string."""
    if len(value) > MAX_ATTRIBUTES:
        raise ma.ValidationError(f"At most {MAX_ATTRIBUTES} attributes; got {len(value)}.")
    problems = []
    for key, item in value.items():
        if not _KEY_RE.fullmatch(key):
            problems.append(
                f"{key[:40]!r}: keys are 1-32 lower-case letters, digits or '_', starting with a letter."
            )
        elif key in BUILT_IN:
            problems.append(f"{key!r} is an outlet field; set it as `{key}`, not as an attribute.")
        elif not isinstance(item, str) or not 1 <= len(item.strip()) <= MAX_VALUE_CHARS:
            problems.append(
                f"{key!r}: values are strings of 1-{MAX_VALUE_CHARS} characters (no lists or objects)."
            )
    if problems:
        raise ma.ValidationError(problems)


def Attributes(**kwargs: Any) -> fields.Dict:  # noqa: N802 - reads like a field class at the call site
    metadata = {
        "description": f"Researcher-defined attributes to group outlets by (`group_by=<key>`): at most "
        f"{MAX_ATTRIBUTES} keys matching `{ATTRIBUTE_KEY}`, each a string of 1-{MAX_VALUE_CHARS} characters.",
        "example": EXAMPLE,
        "maxProperties": MAX_ATTRIBUTES,
    } | kwargs.pop("metadata", {})
    return fields.Dict(
        keys=fields.String(), values=fields.Raw(), validate=check_attributes, metadata=metadata, **kwargs
    )


GROUP_BY = fields.String(
    validate=validate.Regexp(ATTRIBUTE_KEY, error="Name an outlet attribute, e.g. 'country' or 'leaning'."),
    metadata={
        "description": "Compare groups of outlets instead of outlets: `country`, `language`, or an attribute "
        "key set on the outlets (e.g. `type`). Outlets without it are left out (a warning lists them).",
        "example": "type",
    },
)
SYNDICATED = fields.String(
    validate=validate.OneOf(("once", "each", "off")),
    metadata={
        "description": "Near-duplicate texts (a wire story reprinted): `once` (default) counts each cluster "
        "once per group (or outlet), `each` counts every copy, `off` skips detection.",
    },
)
