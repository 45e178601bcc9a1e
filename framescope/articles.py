"""``/v1/articles``: upload in automatically sized batches, list, filter, correct, export."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd

from framescope.batching import Encoded, Limits, batches, json_array
from framescope.catalog import Resource
from framescope.errors import FramescopeError, TooLargeError
from framescope.http import HttpSession, clean_params
from framescope.progress import bar
from framescope.records import records

FILTERS = ("outlet", "event", "language", "published_from", "published_to", "frame", "stance", "target",
           "model_version")  # fmt: skip


@dataclass
class UploadResult:
    """What a (multi-request) upload stored: per input item its ``id`` and ``created`` (False: duplicate)."""

    n_items: int = 0
    n_created: int = 0
    n_existing: int = 0
    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, answer: Mapping[str, Any], offset: int) -> None:
        self.n_items += answer["n_items"]
        self.n_created += answer["n_created"]
        self.n_existing += answer["n_existing"]
        self.items.extend({**item, "index": item["index"] + offset} for item in answer["items"])

    @property
    def ids(self) -> list[int]:
        return [item["id"] for item in self.items]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.items, columns=["index", "id", "created"])


class Articles(Resource):
    path = "/v1/articles"

    def __init__(self, http: HttpSession, limits: Callable[[], Limits], progress: bool | None = None) -> None:
        super().__init__(http, limits)
        self.limits = limits
        self.progress = progress

    def iter(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Every matching article (filters: outlet, event, language, published_from/to, frame, stance,
        target, model_version), following the cursor page by page."""
        yield from super().iter(**filters)

    def create(
        self, item: Mapping[str, Any] | None = None, *, create_missing: bool = False, **fields: Any
    ) -> dict[str, Any]:
        """One article; a duplicate answers the stored article (check ``id``)."""
        params = {"create_missing": "true" if create_missing else "false"}
        return self.http.json("POST", self.path, params=params, json={**(item or {}), **fields})

    def upload(
        self,
        articles: pd.DataFrame | Iterable[Mapping[str, Any]],
        *,
        create_missing: bool = False,
        batch_size: int | None = 1000,
        progress: bool | None = None,
    ) -> UploadResult:
        """Store many articles in batches sized from the server's limits (items, bytes, JSON values),
        at most ``batch_size`` articles each (1,000: the server classifies 1,000 at a time, and a
        request stays well inside a worker's timeout; None: as many as the server takes).

        Each batch is atomic and idempotent (duplicates come back with ``created: False``), so an
        interrupted upload can simply be run again. A batch refused as too large is split in two and
        retried; an invalid one raises ``ValidationError`` whose ``errors[*]["index"]`` are positions in
        ``articles`` (earlier batches stay stored).
        """
        items = records(articles)
        result = UploadResult()
        show = self.progress if progress is None else progress
        with bar(show, total=len(items), desc="articles", unit="article") as progress_bar:
            for batch in batches(items, self.limits(), max_items=batch_size):
                for answer, sent in self.send(batch, create_missing=create_missing):
                    result.add(answer, sent[0].index)
                    progress_bar.update(len(sent))
        return result

    def send(
        self, batch: list[Encoded], *, create_missing: bool
    ) -> Iterator[tuple[dict[str, Any], list[Encoded]]]:
        """POST one batch (halving it on 413); yields ``(answer, items sent)``. A 422's item indexes are
        rewritten to the items' own ``index``."""
        params = {"create_missing": "true" if create_missing else "false"}
        try:
            answer = self.http.json(
                "POST",
                f"{self.path}/batch",
                params=params,
                content=json_array(batch),
                headers={"Content-Type": "application/json"},
            )
        except TooLargeError:
            if len(batch) == 1:
                raise
            half = len(batch) // 2
            yield from self.send(batch[:half], create_missing=create_missing)
            yield from self.send(batch[half:], create_missing=create_missing)
            return
        except FramescopeError as error:
            for item_error in error.errors:
                if isinstance(item_error.get("index"), int) and 0 <= item_error["index"] < len(batch):
                    item_error["index"] = batch[item_error["index"]].index
            raise
        yield answer, batch

    def export(
        self,
        destination: str | Path | IO[bytes] | None = None,
        *,
        format: str = "csv",  # noqa: A002
        progress: bool | None = None,
        **filters: Any,
    ) -> int:
        """Stream every matching article (with its labels) to a file or binary stream; returns bytes
        written. Nothing is held in memory: the server sends 1,000 articles at a time."""
        params = clean_params({"format": format, **filters})
        show = self.progress if progress is None else progress
        with self.http.stream("GET", f"{self.path}/export", params=params) as response:
            target, close = _open(destination)
            written = 0
            try:
                with bar(show, desc="export", unit="B", unit_scale=True) as progress_bar:
                    for chunk in response.iter_bytes():
                        target.write(chunk)
                        written += len(chunk)
                        progress_bar.update(len(chunk))
            except BaseException:
                if isinstance(target, _Rename):
                    target.discard()
                raise
            if close:
                target.close()
            else:
                target.flush()
        return written

    def export_frame(self, *, format: str = "csv", **filters: Any) -> pd.DataFrame:  # noqa: A002
        """Every matching article as a DataFrame: the export's CSV (one column per frame present /
        score / share) or NDJSON (nested ``classification``)."""
        buffer = io.BytesIO()
        self.export(buffer, format=format, progress=False, **filters)
        buffer.seek(0)
        if format == "ndjson":
            return pd.read_json(buffer, lines=True) if buffer.getbuffer().nbytes else pd.DataFrame()
        return pd.read_csv(buffer) if buffer.getbuffer().nbytes else pd.DataFrame()


def _open(destination: str | Path | IO[bytes] | None) -> tuple[IO[bytes], bool]:
    if destination is None:
        import sys

        return sys.stdout.buffer, False
    if isinstance(destination, str | Path):
        path = Path(destination)
        partial = path.with_name(path.name + ".part")
        return _Rename(partial, path), True
    return destination, False


class _Rename(io.FileIO):
    """Write to ``<name>.part`` and rename on close: an interrupted export leaves no truncated file
    under the real name."""

    def __init__(self, partial: Path, final: Path) -> None:
        super().__init__(partial, "wb")
        self._partial, self._final = partial, final

    def close(self) -> None:
        if self.closed:
            return
        super().close()
        shutil.move(self._partial, self._final)

    def discard(self) -> None:
        """Drop the partial file (the export failed or was interrupted)."""
        super().close()
        self._partial.unlink(missing_ok=True)
