"""``/v1/jobs``: background classify and export runs; start, follow with a progress bar, download."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from framescope.catalog import Resource
from framescope.errors import FramescopeError
from framescope.http import HttpSession
from framescope.progress import bar

FINISHED = frozenset({"succeeded", "failed", "cancelled"})
IMPORT_MEDIA_TYPES = {".csv": "text/csv", ".ndjson": "application/x-ndjson", ".jsonl": "application/x-ndjson"}


class _FileBody:
    """A request body read from the file in blocks, from the start on every send (so a retried
    request sends the whole file again, not what an earlier attempt left unread)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __iter__(self) -> Any:
        with open(self.path, "rb") as body:
            while block := body.read(1 << 20):
                yield block


class JobFailed(FramescopeError):
    """A job ended ``failed`` or ``cancelled``; ``body`` is the job."""


class Jobs(Resource):
    path = "/v1/jobs"

    def __init__(
        self,
        http: HttpSession,
        limits: Callable[[], Any] | None = None,
        progress: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(http, limits)
        self.progress = progress
        self.clock = clock

    def classify(self, *, force: bool = False, **filters: Any) -> dict[str, Any]:
        """Start labelling the stored articles matching ``filters`` with the served model (202)."""
        return self.create({"kind": "classify", "filter": filters, "force": force})

    def export(self, *, format: str = "csv", **filters: Any) -> dict[str, Any]:  # noqa: A002
        """Start writing the matching articles to a file on the server (download with ``download``)."""
        return self.create({"kind": "export", "filter": filters, "format": format})

    def import_file(self, path: str | Path, *, create_missing: bool = False) -> dict[str, Any]:
        """Upload a ``.csv`` or ``.ndjson``/``.jsonl`` file of articles as an ``import`` job (202).

        The file is streamed, not read into memory, and may be as large as the server's
        ``max_import_bytes`` (``limits``), far past one batch; follow the job with ``wait``: bad
        records are listed in its ``errors`` by ``line`` and ``field``.
        """
        path = Path(path)
        media = IMPORT_MEDIA_TYPES.get(path.suffix.lower())
        if media is None:
            raise ValueError(f"{path.name}: import takes .csv, .ndjson or .jsonl files")
        return self.http.json(
            "POST",
            f"{self.path}/import",
            params={"create_missing": "true" if create_missing else "false"},
            content=_FileBody(path),
            headers={"Content-Type": media, "Content-Length": str(path.stat().st_size)},
        )

    def cancel(self, job_id: int) -> dict[str, Any]:
        """Cancel a queued or running job (a finished one is a 409, ``ConflictError``)."""
        return self.http.json("POST", f"{self.item_path(job_id)}/cancel")

    def delete(self, job_id: int | str) -> None:
        self.cancel(int(job_id))

    def update(self, *_args: Any, **_kwargs: Any) -> dict[str, Any]:
        raise TypeError("Jobs cannot be changed; cancel one and start another.")

    def wait(
        self,
        job: int | Mapping[str, Any],
        *,
        poll_seconds: float = 1.0,
        timeout: float | None = None,
        progress: bool | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> dict[str, Any]:
        """Poll until the job finishes (progress bar over ``done``/``total``); raise ``JobFailed`` if it
        fails or is cancelled, ``TimeoutError`` after ``timeout`` seconds."""
        job_id = job if isinstance(job, int) else int(job["id"])
        deadline = None if timeout is None else self.clock() + timeout
        show = self.progress if progress is None else progress
        with bar(show, desc=f"job {job_id}", unit="article") as progress_bar:
            while True:
                state = self.get(job_id)
                if state.get("total") is not None:
                    progress_bar.total = state["total"]
                progress_bar.n = state.get("done") or 0
                progress_bar.refresh()
                if state["status"] in FINISHED:
                    break
                if deadline is not None and self.clock() > deadline:
                    raise TimeoutError(f"Job {job_id} is still {state['status']} after {timeout} s.")
                sleep(poll_seconds)
        if state["status"] != "succeeded":
            last = (state.get("errors") or [{}])[-1].get("detail", "")
            raise JobFailed(status=None, title=f"Job {job_id} {state['status']}", detail=last, body=state)
        return state

    def download(self, job_id: int, destination: str | Path) -> Path:
        """Save a finished export job's file."""
        path = Path(destination)
        with self.http.stream("GET", f"{self.item_path(job_id)}/result") as response, path.open("wb") as out:
            for chunk in response.iter_bytes():
                out.write(chunk)
        return path
