"""The stored comparison's input hash (``counts_digest``) is part of every manifest: it must not change.

Same counted rows, same digest, whatever order the database returned them in; the literal below
was computed by the digest of revision 0013, so any change to the bytes hashed fails here.
"""

from __future__ import annotations

import numpy as np

from comparison.counted import LabelCounts
from service.stored_comparison import counts_digest

FIXED_DIGEST = "c8b15e2fbfa6a75ab8391be62eb84cc66f265a818900347d48f9c858dc52e2b6"


def fixed_counts(order: list[int] | None = None) -> LabelCounts:
    """Three cell rows and three pattern rows over two frames (``order`` permutes both tables)."""
    cells = [
        ("o-a", "ev-1", [2, 0], [0.7, 0.0], "diplomacy", "favor", "ukraine", "h1", 3, False),
        ("o-b", None, [1, 1], [0.1 + 0.2, 1 / 3], None, None, None, "h1", 1, True),
        ("o-a", "ev-2", [0, 4], [0.0, 2.000000000000004], "military", "against", "ukraine", "h2", 4, False),
    ]
    patterns = [
        ("o-a", "ev-1", False, [True, False], 2),
        ("o-b", None, True, [True, True], 1),
        ("o-a", "ev-2", False, [False, True], 4),
    ]
    order = order or [0, 1, 2]
    cells, patterns = [cells[i] for i in order], [patterns[i] for i in order]
    c = list(zip(*cells, strict=True))
    p = list(zip(*patterns, strict=True))
    return LabelCounts(
        ("diplomacy", "military"),
        list(c[0]),
        list(c[1]),
        np.array(c[2], dtype=np.int64),
        np.array(c[3], dtype=float),
        list(c[4]),
        list(c[5]),
        list(c[6]),
        ["v1"] * 3,
        list(c[7]),
        np.array(c[8], dtype=np.int64),
        np.array(c[9], dtype=bool),
        list(p[0]),
        list(p[1]),
        np.array(p[2], dtype=bool),
        np.array(p[3], dtype=bool),
        np.array(p[4], dtype=np.int64),
    )


def test_digest_of_fixed_rows_is_unchanged():
    assert counts_digest(fixed_counts()) == FIXED_DIGEST


def test_digest_ignores_row_order():
    assert counts_digest(fixed_counts([2, 0, 1])) == counts_digest(fixed_counts())
