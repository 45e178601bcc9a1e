"""Each classification's frames summarised on its own row: a presence bit mask and the shares.

Counted comparisons need, per article, which frames are present and their shares. Pivoting the
~9 ``article_frames`` rows of every classification at read time was 40 % of a stored comparison
(issue 13), so ``store_classifications`` also writes ``classifications.frame_mask`` and
``frame_shares`` (revision 0013 back-fills older rows). Positions follow the frame keys in code
point order (Python's ``sorted``, SQL's ``COLLATE "C"`` / SQLite's BINARY), which needs no codebook
at read time: every result of one model version has the same frames.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Float, cast, func, type_coerce
from sqlalchemy.types import ARRAY

from service.storage.tables import Classification

#: Bits of a signed 64-bit integer a mask may use; a result with more frames stores no mask.
MAX_MASK_FRAMES = 62


def summarise_frames(frames: Iterable[tuple[str, bool, float]]) -> tuple[int | None, list[float]]:
    """``(mask, shares)`` of ``(key, present, share)`` triples, in sorted key order."""
    ordered = sorted(frames)
    shares = [float(share) for _, _, share in ordered]
    if len(ordered) > MAX_MASK_FRAMES:
        return None, shares
    mask = sum(1 << j for j, (_, present, _) in enumerate(ordered) if present)
    return mask, shares


def positions(frame_keys: Sequence[str]) -> list[int]:
    """Where each of ``frame_keys`` sits in the stored summary (its rank in sorted order)."""
    rank = {key: j for j, key in enumerate(sorted(frame_keys))}
    return [rank[key] for key in frame_keys]


def share_at(dialect: str, position: int) -> Any:
    """SQL for the share stored at ``position`` (NULL when the row has fewer frames)."""
    if dialect == "postgresql":
        return type_coerce(Classification.frame_shares, ARRAY(Float, zero_indexes=True))[position]
    return cast(func.json_extract(Classification.frame_shares, f"$[{position}]"), Float)
