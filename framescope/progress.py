"""tqdm progress bars on long work: shown on a terminal, silent otherwise (or as the caller says)."""

from __future__ import annotations

from typing import Any

from tqdm.auto import tqdm


def bar(
    progress: bool | None, *, total: float | None = None, desc: str = "", unit: str = "it", **kwargs: Any
):
    """A tqdm bar; ``progress=None`` lets tqdm decide (shown only when stderr is a terminal)."""
    disable = None if progress is None else not progress
    return tqdm(total=total, desc=desc, unit=unit, disable=disable, leave=False, **kwargs)
