"""Input limits read from the app config at validation time, so deployments can tighten them.

Every refusal names the setting that caused it (``FRAMESCOPE_<NAME>``), so a client (or its admin)
knows which knob to ask about. Body size is enforced by Werkzeug (``MAX_CONTENT_LENGTH`` → 413);
the rest are marshmallow validators (→ 422 naming the field).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import current_app


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
