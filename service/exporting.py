"""Article exports (CSV or NDJSON) with every label of one model version, produced chunk by chunk.

``export_chunks`` yields encoded pieces of the file: the streamed ``GET /v1/articles/export`` sends
them as they come, an ``export`` job appends them to its result file and commits its cursor after
each. Memory is one chunk of ``EXPORT_CHUNK`` articles whatever the export's size. CSV cells go
through ``comparison.to_csv`` (formula triggers neutralised, floats at full precision).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from classifiers.codebook import STANCE_LABELS
from comparison import to_csv
from service.classifier_registry import get_model
from service.classifying import check_stored_frame
from service.storage.article_exports import iter_export_chunks, last_article_id, outlet_attribute_keys
from service.storage.classified_rows import stored_version

MEDIA_TYPES = {"csv": "text/csv", "ndjson": "application/x-ndjson"}

_ARTICLE_COLUMNS = ("id", "outlet", "outlet_name")
_ARTICLE_TAIL = (
    "event",
    "url",
    "title",
    "author",
    "language",
    "word_count",
    "published_at",
    "published_precision",
    "created_at",
    "updated_at",
)
_LABEL_COLUMNS = (
    "model_version",
    "codebook_hash",
    "status",
    "n_sentences",
    "dominant_frame",
    "stance_target",
    "stance_label",
)


def export_frame_keys(session: Session, model_version: str) -> tuple[str, ...]:
    """The frames of ``model_version``: the served codebook's, or what its stored rows say."""
    served = get_model()
    if model_version == served.version:
        return tuple(served.codebook.frame_keys)
    stored = stored_version(session, model_version)
    return tuple(stored.frame_keys) if stored is not None else ()


def csv_columns(frame_keys: Sequence[str], attribute_keys: Sequence[str]) -> list[str]:
    """Header of the CSV export: article, one column per outlet attribute, labels, stance scores, frames."""
    return [
        *_ARTICLE_COLUMNS,
        *(f"outlet_attr_{key}" for key in attribute_keys),
        *_ARTICLE_TAIL,
        *_LABEL_COLUMNS,
        *(f"stance_{label}" for label in STANCE_LABELS),
        *(f"frame_{key}_{part}" for key in frame_keys for part in ("present", "score", "share")),
    ]


def _csv_row(row: Mapping[str, Any]) -> dict[str, Any]:
    flat = {k: v for k, v in row.items() if not isinstance(v, dict)}
    for key, value in (row["outlet_attributes"] or {}).items():
        flat[f"outlet_attr_{key}"] = value
    for label, score in (row["stance_scores"] or {}).items():
        flat[f"stance_{label}"] = score
    for key, frame in row["frames"].items():
        for part, value in frame.items():
            flat[f"frame_{key}_{part}"] = value
    for name in ("published_at", "created_at", "updated_at"):
        flat[name] = _iso(row[name])
    return flat


def _json_row(row: Mapping[str, Any], frame_keys: Sequence[str]) -> dict[str, Any]:
    out = {name: row[name] for name in _ARTICLE_COLUMNS}
    out["outlet_attributes"] = row["outlet_attributes"] or {}
    out.update({name: _iso(row[name]) if name.endswith("_at") else row[name] for name in _ARTICLE_TAIL})
    if row["classification_id"] is None:
        out["classification"] = None
        return out
    evidence = row.get("evidence") or {}
    frame_evidence = evidence.get("frames") or {}
    order = {key: i for i, key in enumerate(frame_keys)}
    frames = sorted(row["frames"].items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    out["classification"] = {
        **{name: row[name] for name in _LABEL_COLUMNS if not name.startswith("stance")},
        "stance": {
            "target": row["stance_target"],
            "label": row["stance_label"],
            "scores": row["stance_scores"] or {},
            "evidence": evidence.get("stance") or [],
        },
        "frames": [{"key": key, **frame, "evidence": frame_evidence.get(key, [])} for key, frame in frames],
    }
    return out


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_filters(session: Session, args: Mapping[str, Any]) -> dict[str, Any]:
    """List query arguments -> storage filters: ``model_version`` defaults to the served model, a
    ``frame`` must be one of its frames (422 naming ``frame``), ``target`` becomes ``stance_target``."""
    filters = dict(args)
    filters.setdefault("model_version", get_model().version)
    check_stored_frame(session, filters["model_version"], filters.get("frame"))
    filters["stance_target"] = filters.pop("target", None)
    return filters


def export_filename(args: Mapping[str, Any], format_: str) -> str:
    """``articles[-<outlet>][-<event>].<format>`` (keys are slugs, safe in a header)."""
    parts = ["articles", *(args[name] for name in ("outlet", "event") if args.get(name))]
    return "-".join(parts) + "." + format_


def stream_export(format_: str, filters: Mapping[str, Any]) -> Iterator[bytes]:
    """The whole export as a stream of encoded chunks, bounded by the newest article id at the start.

    It reads through a session of its own, closed when the stream ends or the client goes away
    (the generator is closed), not at request teardown, which a streamed answer outlives.
    """
    with current_app.extensions["framescope"]["sessionmaker"]() as session:
        upto = last_article_id(session)
        for _, _, data in export_chunks(session, format_, filters, upto=upto):
            yield data


def export_chunks(
    session: Session,
    format_: str,
    filters: Mapping[str, Any],
    *,
    after: int = 0,
    upto: int | None = None,
    header: bool = True,
) -> Iterator[tuple[int, int, bytes]]:
    """``(last_article_id, n_articles, encoded bytes)`` per chunk; the CSV header comes first (0 articles).

    ``after``/``upto`` bound the article ids (a resumed job passes its cursor and ``header=False``).
    """
    filters = dict(filters)
    model_version = filters.pop("model_version")
    frame_keys = export_frame_keys(session, model_version)
    chunk_size = int(current_app.config["EXPORT_CHUNK_ARTICLES"])
    columns = csv_columns(frame_keys, outlet_attribute_keys(session)) if format_ == "csv" else []
    if header and format_ == "csv":
        yield after, 0, to_csv([], columns).encode("utf-8")
    for rows in iter_export_chunks(
        session,
        filters,
        model_version=model_version,
        after=after,
        upto=upto,
        evidence=format_ == "ndjson",
        chunk_size=chunk_size,
    ):
        if format_ == "csv":
            text = to_csv((_csv_row(row) for row in rows), columns, header=False)
        else:
            text = "".join(json.dumps(_json_row(row, frame_keys), ensure_ascii=False) + "\n" for row in rows)
        yield rows[-1]["id"], len(rows), text.encode("utf-8")
