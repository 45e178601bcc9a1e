"""Annotations against their codebook: every label, article and span checked before anything is stored.

A batch is atomic: any bad item fails the request with a 422 naming every bad item by index and
field (unknown codebooks, articles, frames, targets and stance labels; spans past the end of the
text; the same article, coder and codebook twice). Each stored annotation records the hash of the
codebook version it was checked against (the latest version of its key).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from classifiers import Codebook
from comparison import to_csv
from service.codebook_catalog import resolve_codebook
from service.storage import annotations as dao
from service.storage.errors import InvalidItemsError, NotFoundError
from service.storage.tables import Annotation


def _error(index: int, field: str, pointer: str, detail: str) -> dict[str, Any]:
    return {
        "index": index,
        "field": field,
        "location": "json",
        "pointer": f"/{index}/{pointer}",
        "detail": detail,
    }


def _unknown(kind: str, values: Sequence[str], allowed: Sequence[str], codebook: Codebook) -> str:
    shown = ", ".join(repr(v) for v in values)
    where = f"codebook {codebook.key!r} ({codebook.hash})"
    return f"Unknown {kind} {shown} in {where}; allowed: {', '.join(allowed)}."


def check_annotation(
    index: int, item: Mapping[str, Any], codebook: Codebook, text_length: int | None
) -> list[dict[str, Any]]:
    """Every problem of one validated item against its codebook and article (empty list: fine)."""
    errors = []
    if text_length is None:
        errors.append(_error(index, "article_id", "article_id", f"Unknown article id {item['article_id']}."))
    allowed = codebook.frame_keys
    if bad := [f for f in item["frames"] if f not in allowed]:
        errors.append(_error(index, "frames", "frames", _unknown("frame(s)", bad, allowed, codebook)))
    if item["dominant"] is not None and item["dominant"] not in allowed:
        detail = _unknown("frame", [item["dominant"]], allowed, codebook)
        errors.append(_error(index, "dominant", "dominant", detail))
    target = item["target"] or codebook.default_target
    if target not in codebook.target_keys:
        detail = _unknown("target", [target], codebook.target_keys, codebook)
        return [*errors, _error(index, "target", "target", detail)]
    labels = codebook.target(target).labels
    if item["stance"] is not None and item["stance"] not in labels:
        detail = _unknown(f"stance label toward {target!r}:", [item["stance"]], labels, codebook)
        errors.append(_error(index, "stance", "stance", detail))
    for j, span in enumerate(item["spans"]):
        if text_length is not None and span["end"] > text_length:
            detail = (
                f"Span ends at {span['end']}, after the end of the article text ({text_length} characters)."
            )
            errors.append(_error(index, "spans.end", f"spans/{j}/end", detail))
        if bad := [f for f in span["frames"] if f not in allowed]:
            detail = _unknown("frame(s)", bad, allowed, codebook)
            errors.append(_error(index, "spans.frames", f"spans/{j}/frames", detail))
        if span["stance"] is not None and span["stance"] not in labels:
            detail = _unknown(f"stance label toward {target!r}:", [span["stance"]], labels, codebook)
            errors.append(_error(index, "spans.stance", f"spans/{j}/stance", detail))
    return errors


def _codebooks(session: Session, keys: set[str]) -> dict[str, Codebook | str]:
    """Key -> latest codebook, or the 404 message for keys that do not exist."""
    found: dict[str, Codebook | str] = {}
    for key in keys:
        try:
            found[key] = resolve_codebook(session, key)[0]
        except NotFoundError as exc:
            found[key] = str(exc)
    return found


def store_annotations(session: Session, items: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Check and store (insert or replace) a batch atomically; the batch summary, items in order."""
    codebooks = _codebooks(session, {item["codebook"] for item in items})
    lengths = dao.article_text_lengths(session, (item["article_id"] for item in items))
    errors: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    first: dict[tuple, int] = {}
    for index, item in enumerate(items):
        codebook = codebooks[item["codebook"]]
        if isinstance(codebook, str):
            errors.append(_error(index, "codebook", "codebook", codebook))
            continue
        key = (item["article_id"], item["coder"], item["codebook"])
        if key in first:
            detail = f"Same article, coder and codebook as item {first[key]}; send each annotation once."
            errors.append(_error(index, "article_id", "article_id", detail))
        first.setdefault(key, index)
        errors += check_annotation(index, item, codebook, lengths.get(item["article_id"]))
        rows.append(_row(item, codebook))
    if errors:
        raise InvalidItemsError(errors)
    results = dao.upsert_annotations(session, rows)
    n_created = sum(created for _, created in results)
    return {
        "n_items": len(rows),
        "n_created": n_created,
        "n_replaced": len(rows) - n_created,
        "items": [{"index": i, "id": a_id, "created": c} for i, (a_id, c) in enumerate(results)],
    }


def _row(item: Mapping[str, Any], codebook: Codebook) -> dict[str, Any]:
    return {
        "article_id": item["article_id"],
        "coder": item["coder"],
        "codebook_key": codebook.key,
        "codebook_hash": codebook.hash,
        "frames": list(item["frames"]),
        "dominant": item["dominant"],
        "stance_target": item["target"] or codebook.default_target,
        "stance": item["stance"],
        "spans": [dict(span) for span in item["spans"]],
    }


def export_row(annotation: Annotation) -> dict[str, Any]:
    """One annotation as a flat export row (the columns an import reads, plus the read-only ones)."""
    return {
        "id": annotation.id,
        "article_id": annotation.article_id,
        "outlet": annotation.article.outlet.key,
        "event": annotation.article.event.key if annotation.article.event else None,
        "coder": annotation.coder,
        "codebook": annotation.codebook_key,
        "codebook_hash": annotation.codebook_hash,
        "frames": annotation.frames,
        "dominant": annotation.dominant,
        "target": annotation.stance_target,
        "stance": annotation.stance,
        "spans": annotation.spans,
        "created_at": annotation.created_at.isoformat(),
        "updated_at": annotation.updated_at.isoformat(),
    }


def export_annotations(session: Session, format_: str, **filters: Any) -> str:
    """Every matching annotation as CSV (``frames`` joined by ``;``, ``spans`` as JSON) or NDJSON."""
    rows = [export_row(a) for a in dao.iter_annotations(session, **filters)]
    if format_ == "ndjson":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    return to_csv(({**row, "frames": ";".join(row["frames"])} for row in rows), EXPORT_COLUMNS)


EXPORT_COLUMNS = (
    "id",
    "article_id",
    "outlet",
    "event",
    "coder",
    "codebook",
    "codebook_hash",
    "frames",
    "dominant",
    "target",
    "stance",
    "spans",
    "created_at",
    "updated_at",
)
