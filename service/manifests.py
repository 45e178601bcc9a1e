"""Manifests: every analysis answer names what produced its numbers, stored under a content hash.

The id is the SHA-256 (first 32 hex) of the manifest document: the hash of the input article set
(the records the statistics ran on: ids, outlets, events, dates, labels, syndication clusters and
each text's hash; for a stored comparison, counted in the database, the counted rows and the hash of
the sampled texts), the model version and codebook hash, the parameters (the request's options, the
endpoint, and the service settings that change numbers), the seeds, and the software versions
(Python, numpy, scipy, scikit-learn, and a hash of the ``comparison`` package's source). The same
request over the same articles gives the same id; its answer's tables hash is kept, so each re-run
is checked (``reproduced``).
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from importlib import metadata as package_metadata
from pathlib import Path
from typing import Any

from flask import current_app, request

import comparison
from classifiers import ModelRef
from comparison import ArticleRecord
from service.correcting import SEED as CORRECTION_SEED
from service.storage.manifests import record_run

PRESENTATION = {"format", "table", "variable"}  # change how the numbers are shown, not the numbers
SETTINGS = ("COMPARISON_RESAMPLES", "CORRECTION_DRAWS", "VOCABULARY_CHARS", "VOCABULARY_SAMPLE")
PACKAGES = ("numpy", "scipy", "scikit-learn")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return value


def digest(value: Any) -> str:
    """SHA-256 of canonical JSON (sorted keys, dates as ISO 8601)."""
    text = json.dumps(_plain(value), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _record_row(r: ArticleRecord) -> str:
    """One input article as canonical JSON: what it contributes to the numbers."""
    frames = sorted(k for k, v in r.frames.items() if v)
    text = hashlib.sha256(r.text.encode()).hexdigest()
    values = [r.article_id, r.outlet, r.event, r.published_at, frames, r.shares, r.dominant_frame]
    values += [r.stance, r.stance_target, r.syndication_cluster, text]
    if r.weight != 1 or r.is_copy:  # an aggregated row: how many articles, and whether they are copies
        values += [r.weight, r.is_copy]
    return json.dumps(_plain(values), default=str)


def articles_hash(records: Sequence[ArticleRecord]) -> str:
    """Hash of the input article set, in a fixed order (so the order of rows never matters)."""
    return digest(sorted(_record_row(r) for r in records))


def software_versions() -> dict[str, str]:
    """Python, the numeric packages and the comparison code's hash (computed once per worker)."""
    cache = current_app.extensions["framescope"]
    if "software_versions" not in cache:
        source = hashlib.sha256()
        for path in sorted(Path(comparison.__file__).parent.glob("*.py")):
            source.update(path.name.encode() + path.read_bytes())
        cache["software_versions"] = {
            "python": platform.python_version(),
            **{name: package_metadata.version(name) for name in PACKAGES},
            "comparison_source": source.hexdigest()[:16],
        }
    return cache["software_versions"]


def record_manifest(
    records: Sequence[ArticleRecord],
    args: Mapping[str, Any],
    model: ModelRef,
    tables: Mapping[str, Any],
    articles: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build, store (or count a re-run of) the manifest of this answer; returns ``{id, url}``.

    ``articles`` (``{"n", "hash", ...}``) replaces the records' hash when the statistics ran on
    counted rows (a stored comparison: the hash of those rows and of the sampled texts).
    """
    document = {
        "endpoint": f"{request.method} {request.path}",
        "articles": dict(articles)
        if articles is not None
        else {"n": sum(r.weight for r in records), "hash": articles_hash(records)},
        "model_version": model.version,
        "codebook_hash": model.codebook_hash,
        "parameters": {k: _plain(v) for k, v in sorted(args.items()) if k not in PRESENTATION},
        "settings": {k: current_app.config[k] for k in SETTINGS},
        "seeds": {"comparison": 0, "correction": CORRECTION_SEED},
        "software": software_versions(),
    }
    manifest_id = digest(document)[:32]
    # Its own short write transaction, not the request's: a GET reads in a deferred SQLite transaction,
    # which cannot turn into a write once another request has written (SQLITE_BUSY_SNAPSHOT, at once);
    # the write sessionmaker begins IMMEDIATE and waits its turn.
    with current_app.extensions["framescope"]["write_sessionmaker"]() as session:
        record_run(session, manifest_id, document["endpoint"][:300], document, digest(tables))
        session.commit()
    return {"id": manifest_id, "url": f"/v1/manifests/{manifest_id}"}
