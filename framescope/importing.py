"""``framescope import``: send a file's articles in batches, resumably, and say what happened to each.

Resuming: after every batch the server has stored, a small state file records how many records of the
source are done and a running hash of them. A re-run (after Ctrl-C, a crash, a lost connection)
re-reads the source, checks the hash of the records it skips, and carries on after them; if the
source changed, it starts over, which is harmless because the server stores each article once.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from framescope.batching import Encoded, batches, encode
from framescope.client import Client
from framescope.errors import FramescopeError, TooLargeError, ValidationError
from framescope.progress import bar
from framescope.sources import Record, count_records, read_records

MAX_LISTED_SKIPS = 1000


@dataclass
class ImportState:
    """What is done, saved after each stored batch; counts cover every run over this source."""

    source: str
    url: str
    done: int = 0
    chain: str = ""
    stored: int = 0
    duplicates: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)
    n_skipped: int = 0

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".tmp")
        partial.write_text(json.dumps(asdict(self), indent=1))
        os.replace(partial, path)

    def skip(self, where: str, reason: str) -> None:
        self.n_skipped += 1
        if len(self.skipped) < MAX_LISTED_SKIPS:
            self.skipped.append({"where": where, "reason": reason})


@dataclass
class ImportSummary:
    state: ImportState
    n_records: int
    resumed_from: int
    restarted_because: str | None = None


def default_state_path(source: Path, url: str) -> Path:
    """One state file per source and server, under ``$FRAMESCOPE_STATE_DIR`` or the user cache."""
    base = os.environ.get("FRAMESCOPE_STATE_DIR") or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "framescope", "imports"
    )
    name = hashlib.sha256(f"{source.resolve()}\n{url}".encode()).hexdigest()[:20]
    return Path(base) / f"{name}.json"


def _load(path: Path, source: Path, url: str, restart: bool) -> ImportState:
    fresh = ImportState(source=str(source.resolve()), url=url)
    if restart or not path.exists():
        return fresh
    try:
        raw = json.loads(path.read_text())
        state = ImportState(**raw)
    except (OSError, ValueError, TypeError):
        return fresh
    return state if state.source == fresh.source and state.url == url else fresh


def run_import(
    client: Client,
    source: Path,
    *,
    state_path: Path,
    defaults: Mapping[str, Any] | None = None,
    renames: Mapping[str, str] | None = None,
    create_missing: bool = True,
    batch_size: int = 500,
    restart: bool = False,
    progress: bool | None = None,
) -> ImportSummary:
    """Import ``source``; returns the summary (also when some records were skipped)."""
    state = _load(state_path, source, client.base_url, restart)
    records = read_records(source, defaults or {}, renames or {})
    n_records = count_records(source)
    options = json.dumps([defaults or {}, renames or {}], sort_keys=True).encode()
    skip_to, chain = state.done, hashlib.sha256(options)  # other --outlet/--rename: other records
    restarted = None
    for _ in range(skip_to):
        record = next(records, None)
        if record is None:
            break
        chain.update(record.digest)
    if skip_to and chain.hexdigest() != state.chain:
        restarted = "the source (or --outlet, --event, --rename) changed since the last run"
        state = ImportState(source=state.source, url=state.url)
        records = read_records(source, defaults or {}, renames or {})
        chain, skip_to = hashlib.sha256(options), 0
    resumed_from = skip_to
    with bar(progress, total=n_records, desc=source.name, unit="article", initial=skip_to) as progress_bar:
        pending: list[Record] = []
        n_seen = skip_to
        for record in records:
            n_seen += 1
            chain.update(record.digest)
            if record.problem:
                state.skip(record.where, record.problem)
            else:
                pending.append(record)
            if len(pending) >= batch_size:
                _flush(client, pending, state, create_missing=create_missing)
                _commit(state, state_path, n_seen, chain)
                progress_bar.update(n_seen - progress_bar.n)
                pending = []
        _flush(client, pending, state, create_missing=create_missing)
        _commit(state, state_path, n_seen, chain)
        progress_bar.update(n_seen - progress_bar.n)
    total = n_records if n_records is not None else state.done
    return ImportSummary(state, total, resumed_from, restarted)


def _commit(state: ImportState, path: Path, n_seen: int, chain: Any) -> None:
    state.done, state.chain = n_seen, chain.hexdigest()
    state.save(path)


def _flush(client: Client, pending: list[Record], state: ImportState, *, create_missing: bool) -> None:
    """Store ``pending``: items the server refuses are dropped (and listed) and the rest resent."""
    encoded = [encode(i, record.article) for i, record in enumerate(pending)]
    for batch in batches(encoded, client.limits()):
        _send(client, batch, pending, state, create_missing=create_missing)


def _send(
    client: Client, batch: list[Encoded], pending: list[Record], state: ImportState, *, create_missing: bool
) -> None:
    while batch:
        try:
            for answer, _sent in client.articles.send(batch, create_missing=create_missing):
                state.stored += answer["n_created"]
                state.duplicates += answer["n_existing"]
            return
        except TooLargeError as error:  # one item alone is over a limit
            state.skip(pending[batch[0].index].where, f"too large: {error.detail}")
            batch = batch[1:]
        except ValidationError as error:
            reasons = _item_reasons(error.errors)
            if not reasons:
                raise
            for index, reason in sorted(reasons.items()):
                state.skip(pending[index].where, reason)
            batch = [item for item in batch if item.index not in reasons]


def _item_reasons(errors: Iterable[Mapping[str, Any]]) -> dict[int, str]:
    """``{index: "field: detail; ..."}`` for a batch's per-item errors (empty if none name an item)."""
    reasons: dict[int, list[str]] = {}
    for error in errors:
        index = error.get("index")
        if isinstance(index, int):
            reasons.setdefault(index, []).append(f"{error.get('field') or 'item'}: {error.get('detail', '')}")
    return {index: "; ".join(parts) for index, parts in reasons.items()}


def format_summary(summary: ImportSummary, source: Path) -> str:
    state = summary.state
    lines = [f"{source}: {summary.n_records} records"]
    if summary.restarted_because:
        lines.append(f"  started over: {summary.restarted_because} (duplicates are harmless)")
    elif summary.resumed_from and summary.resumed_from >= summary.n_records:
        lines.append("  nothing new: every record was done by an earlier run (--restart sends them again)")
    elif summary.resumed_from:
        lines.append(f"  resumed after {summary.resumed_from} records done by an earlier run")
    lines.append(f"  stored      {state.stored}")
    lines.append(f"  duplicates  {state.duplicates} (already stored: same URL, or same text in the outlet)")
    lines.append(f"  skipped     {state.n_skipped}")
    lines.extend(f"    {item['where']}: {item['reason']}" for item in state.skipped)
    if state.n_skipped > len(state.skipped):
        lines.append(f"    ... and {state.n_skipped - len(state.skipped)} more")
    return "\n".join(lines)


__all__ = [
    "FramescopeError",
    "ImportState",
    "ImportSummary",
    "default_state_path",
    "format_summary",
    "run_import",
]
