"""``/v1/annotations``: coders' codes, uploaded in batches sized from the server's limits."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd

from framescope.batching import Limits, batches, json_array
from framescope.catalog import Resource
from framescope.errors import FramescopeError
from framescope.http import HttpSession
from framescope.progress import bar
from framescope.records import records


class Annotations(Resource):
    """List, upload (JSON batches; re-posting article + coder + codebook replaces), export, delete."""

    path = "/v1/annotations"

    def __init__(self, http: HttpSession, limits: Callable[[], Limits], progress: bool | None = None) -> None:
        super().__init__(http, limits)
        self.limits = limits
        self.progress = progress

    def upload(
        self, annotations: pd.DataFrame | Iterable[Mapping[str, Any]], *, progress: bool | None = None
    ) -> dict[str, int]:
        """Store annotations; returns summed ``n_items``, ``n_created``, ``n_replaced``.

        Each request is atomic; a 422's ``errors[*]["index"]`` are positions in ``annotations``.
        A DataFrame's ``frames`` column may hold lists or ``;``-separated strings.
        """
        items = [_normalise(row) for row in records(annotations)]
        totals: dict[str, int] = {}
        show = self.progress if progress is None else progress
        with bar(show, total=len(items), desc="annotations", unit="annotation") as progress_bar:
            for batch in batches(items, self.limits()):
                try:
                    answer = self.http.json(
                        "POST",
                        self.path,
                        content=json_array(batch),
                        headers={"Content-Type": "application/json"},
                    )
                except FramescopeError as error:
                    for item_error in error.errors:
                        if isinstance(item_error.get("index"), int) and item_error["index"] < len(batch):
                            item_error["index"] = batch[item_error["index"]].index
                    raise
                for name, value in answer.items():
                    if name.startswith("n_") and isinstance(value, int):
                        totals[name] = totals.get(name, 0) + value
                progress_bar.update(len(batch))
        return totals

    def export(self, *, format: str = "csv", **filters: Any) -> pd.DataFrame:  # noqa: A002
        """Every matching annotation (filters: coder, article_id, codebook, event, outlet)."""
        response = self.http.request("GET", f"{self.path}/export", params={"format": format, **filters})
        if not response.content:
            return pd.DataFrame()
        buffer = io.BytesIO(response.content)
        return pd.read_json(buffer, lines=True) if format == "ndjson" else pd.read_csv(buffer)

    def update(self, *_args: Any, **_kwargs: Any) -> dict[str, Any]:
        raise TypeError("Annotations are replaced by uploading the same article + coder + codebook again.")


def _normalise(row: dict[str, Any]) -> dict[str, Any]:
    frames = row.get("frames")
    if isinstance(frames, str):
        row["frames"] = [f.strip() for f in frames.split(";") if f.strip()]
    return row
