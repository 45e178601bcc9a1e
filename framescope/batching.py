"""Split work into requests the server accepts: by items, body bytes, JSON values and text characters.

The limits come from ``GET /v1/limits`` (``Limits``); each batch stays under all of them at once, with
a margin on bytes for the array brackets and commas. An item that alone breaks a limit goes in a batch
of its own, so the server names it in its answer instead of the client guessing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Limits:
    """The server's request limits (defaults: a stock server's, used when it has no ``/v1/limits``)."""

    max_batch_items: int = 10_000
    max_content_length: int = 64 * 1024 * 1024
    max_json_values: int = 250_000
    max_text_chars: int = 500_000
    max_classify_chars: int = 5_000_000
    page_size_max: int = 500
    rate_limit: str | None = None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Limits:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known and v is not None})


@dataclass(frozen=True)
class Encoded:
    """One item ready to send: its JSON bytes and what it counts against the limits."""

    index: int
    item: Any
    data: bytes
    n_values: int
    n_chars: int


def encode(index: int, item: Any) -> Encoded:
    data = json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Encoded(index, item, data, count_values(item), text_chars(item))


def text_chars(item: Any) -> int:
    """Characters a classify request counts for the item: title plus text (or saved HTML)."""
    if not isinstance(item, Mapping):
        return 0
    return sum(len(item[name]) for name in ("title", "text", "html") if isinstance(item.get(name), str))


def count_values(value: Any) -> int:
    """JSON values in ``value`` (each object, array, string, number, literal counts one)."""
    count, stack = 0, [value]
    while stack:
        item = stack.pop()
        count += 1
        if isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return count


def batches(
    items: Iterable[Any],
    limits: Limits,
    *,
    max_items: int | None = None,
    max_chars: int | None = None,
    byte_margin: float = 0.9,
) -> Iterator[list[Encoded]]:
    """Consecutive batches of encoded items, each within every limit (order kept, nothing dropped).

    ``max_items`` lowers the item cap (smaller batches give a finer progress bar and resume point);
    ``max_chars`` caps the total text of a batch (``max_classify_chars`` for classify requests).
    """
    cap_items = min(limits.max_batch_items, max_items or limits.max_batch_items)
    cap_bytes = int(limits.max_content_length * byte_margin)
    cap_values = int(limits.max_json_values * byte_margin)
    batch: list[Encoded] = []
    n_bytes = n_values = n_chars = 0
    for index, item in enumerate(items):
        encoded = item if isinstance(item, Encoded) else encode(index, item)
        over = (
            len(batch) >= cap_items
            or n_bytes + len(encoded.data) + 1 > cap_bytes
            or n_values + encoded.n_values + 1 > cap_values
            or (max_chars is not None and n_chars + encoded.n_chars > max_chars)
        )
        if batch and over:
            yield batch
            batch, n_bytes, n_values, n_chars = [], 0, 0, 0
        batch.append(encoded)
        n_bytes += len(encoded.data) + 1
        n_values += encoded.n_values
        n_chars += encoded.n_chars
    if batch:
        yield batch


def json_array(batch: list[Encoded]) -> bytes:
    """The batch as one JSON array, from the already encoded items."""
    return b"[" + b",".join(e.data for e in batch) + b"]"
