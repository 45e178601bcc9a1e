"""Glue between storage, the classifier and ``comparison``: records in, tidy tables / CSV / Vega-Lite out.

Views call one function here and return what it gives. JSON answers are ``{"metadata", "tables"}``;
CSV answers are one table (``?table=``) with the model version and codebook hash in headers;
Vega-Lite answers are the spec with the same metadata under ``usermeta``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from flask import Response, current_app, json, request
from sqlalchemy.orm import Session

from classifiers import ModelRef
from comparison import (
    ArticleRecord,
    InvalidRecordError,
    MixedModelVersionsError,
    NotEnoughDataError,
    correct_tables,
    heatmap_spec,
    to_csv,
    trend_spec,
)
from service.classifier_registry import get_model
from service.classifying import classify_items
from service.correcting import correction_metadata, correction_settings
from service.manifests import record_manifest
from service.storage.classified_rows import (
    StoredVersion,
    count_matching_articles,
    fetch_classified_rows,
    stored_version,
    version_coverage,
)

CSV_MIMETYPE = "text/csv"


@dataclass(frozen=True)
class Selection:
    """Records to compare, the frames they were labelled with, and the model that labelled them."""

    records: list[ArticleRecord]
    frame_keys: tuple[str, ...]
    model: ModelRef
    outlet_attributes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    syndication_source: str = "texts"  # "records": clusters assigned at ingest (every article signed)

    def group_of(self, group_by: str | None) -> dict[str, str | None] | None:
        """Outlet -> its value of ``group_by`` (``None`` without one); ``None`` when not grouping."""
        if not group_by:
            return None
        groups = {o: (attrs or {}).get(group_by) for o, attrs in self.outlet_attributes.items()}
        if not any(groups.values()):
            error = NotEnoughDataError(
                f"no compared outlet has a {group_by!r} attribute; set it on the outlets "
                "(PATCH /v1/outlets/{key}, or outlet_attributes on the articles)"
            )
            error.errors = [{"field": "group_by", "detail": str(error)}]  # type: ignore[attr-defined]
            raise error
        return groups


def submitted_records(items: Sequence[Mapping[str, Any]], target: str | None) -> Selection:
    """Classify submitted articles with the served model in one batch (nothing stored)."""
    model = get_model()
    results = classify_items([{**item, "target": target} for item in items])
    records = [
        ArticleRecord.from_classification(
            item["outlet"],
            result,
            text=item["text"],
            published_at=item.get("published_at"),
            event=item.get("event"),
            article_id=item.get("id", index),
        )
        for index, (item, result) in enumerate(zip(items, results, strict=True))
    ]
    attributes = submitted_attributes(items)
    return Selection(records, tuple(model.codebook.frame_keys), model.model_ref, attributes)


def submitted_attributes(items: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """Outlet -> attributes from the articles' ``outlet_attributes``; contradictions are a 422."""
    attributes: dict[str, dict[str, str]] = {}
    for index, item in enumerate(items):
        current = attributes.setdefault(item["outlet"], {})
        for key, value in (item.get("outlet_attributes") or {}).items():
            if current.setdefault(key, value) != value:
                error = InvalidRecordError(
                    f"articles of {item['outlet']} disagree on its {key!r} attribute "
                    f"({current[key]!r} vs {value!r})"
                )
                error.errors = [  # type: ignore[attr-defined]
                    {
                        "field": "outlet_attributes",
                        "pointer": f"/articles/{index}/outlet_attributes",
                        "location": "json",
                        "detail": str(error),
                    }
                ]
                raise error
    return attributes


def checked_version(
    session: Session, model_version: str | None, filters: Mapping[str, Any]
) -> tuple[str, StoredVersion, tuple[str, ...]]:
    """The model version to compare (default: the served one), its stored reference and frame keys.

    Frame keys come from that version's stored rows (in the served codebook's order when it is the
    served codebook). Refuses (``MixedModelVersionsError``, a 422 naming ``model_version``) when
    some matching articles have no result from that version: comparing would silently leave them
    out, or mix instruments.
    """
    served = get_model()
    version = model_version or served.version
    n_articles, coverage = version_coverage(session, **filters)
    if n_articles == 0:
        raise NotEnoughDataError("no stored articles match these filters")
    n_covered = coverage.get(version, 0)
    if n_covered < n_articles:
        others = ", ".join(f"{v} ({n})" for v, n in sorted(coverage.items()) if v != version) or "none"
        error = MixedModelVersionsError(
            f"{n_articles - n_covered} of {n_articles} matching articles have no result from model "
            f"{version}; results by other versions: {others}. Run `flask classify --missing` to label "
            "them with the served model, or pass model_version= a version that covers them all.",
            tuple((v, None) for v in sorted(coverage)),
        )
        error.errors = [  # type: ignore[attr-defined]
            {"field": "model_version", "location": "query", "detail": str(error)}
        ]
        raise error
    stored = stored_version(session, version)
    assert stored is not None  # the version covers every matching article, so it has rows
    return version, stored, _frame_keys(stored)


def unchecked_version(
    session: Session, model_version: str | None, filters: Mapping[str, Any]
) -> tuple[str, StoredVersion, tuple[str, ...]]:
    """``checked_version`` without the coverage scans, for a caller that checks coverage itself.

    A counted comparison counts the version's results anyway: if they number the matching
    articles, every one is covered (one result per article and version), and two scans of a
    million rows (~1 s) are saved. ``checked_version`` still raises when the version has no rows.
    """
    version = model_version or get_model().version
    stored = stored_version(session, version)
    if stored is None:
        return checked_version(session, model_version, filters)  # raises: nothing to compare
    return version, stored, _frame_keys(stored)


def _frame_keys(stored: StoredVersion) -> tuple[str, ...]:
    """The version's frame keys, in the served codebook's order when it is the served codebook."""
    served = get_model()
    if stored.model.codebook_hash == served.codebook.hash:
        return tuple(k for k in served.codebook.frame_keys if k in stored.frame_keys)
    return stored.frame_keys


def stored_records(
    session: Session,
    *,
    model_version: str | None = None,
    target: str | None = None,
    text_chars: int | None = None,
    **filters: Any,
) -> Selection:
    """Records of stored articles classified by one model version (default: the served one).

    Frame keys and model reference come from that version's stored rows, not from the served model.
    ``text_chars`` (default ``VOCABULARY_CHARS``) is how much of each text is read. One record per
    article: trends and profiles read these; comparisons read ``stored_counts`` (aggregated in SQL).
    See ``checked_version`` for the refusals.
    """
    version, stored, frame_keys = checked_version(session, model_version, filters)
    if text_chars is None:
        text_chars = int(current_app.config["VOCABULARY_CHARS"])
    rows = fetch_classified_rows(session, version, frame_keys=frame_keys, text_chars=text_chars, **filters)
    if target is not None:
        rows = [r for r in rows if r["stance_target"] == target]
    records = [
        ArticleRecord(
            outlet=r["outlet"],
            frames=r["frames"],
            shares=r["shares"],
            dominant_frame=r["dominant_frame"],
            stance=r["stance"],
            text=r["text"],
            published_at=r["published_at"],
            event=r["event"],
            model_version=version,
            codebook_hash=r["codebook_hash"],
            stance_target=r["stance_target"],
            article_id=r["article_id"],
            syndication_cluster=r["syndication_cluster"],
            syndication_similarity=r["syndication_similarity"],
        )
        for r in rows
    ]
    if not records:
        raise NotEnoughDataError(f"no stored article has a stance toward {target!r}")
    attributes = {r["outlet"]: r["outlet_attributes"] for r in rows}
    source = "records" if all(r["signed"] for r in rows) else "texts"  # else: stored before 0007
    return Selection(records, frame_keys, stored.model, attributes, source)


#: Date precisions fine enough for each trend interval.
PRECISE_ENOUGH = {
    "day": ("day", "datetime"),
    "week": ("day", "datetime"),
    "month": ("month", "day", "datetime"),
}
_ADVERBS = {"day": "daily", "week": "weekly", "month": "monthly"}


def trend_selection(
    session: Session, interval: str, *, model_version: str | None, target: str | None, **filters: Any
) -> tuple[Selection, dict[str, Any]]:
    """Records for trends by ``interval``, leaving out articles dated less precisely than it.

    A month-only date stands for any day of that month; put in a weekly bucket it would pile every
    such article on the month's first week. The metadata says how many were left out and why.
    """
    precision = PRECISE_ENOUGH[interval]
    n_matching = count_matching_articles(session, **filters)
    n_precise = count_matching_articles(session, **filters, precision=precision)
    if n_matching and not n_precise:
        raise NotEnoughDataError(
            f"no matching article is dated precisely enough for interval={interval}; "
            "use interval=month (or send full dates)"
        )
    selection = stored_records(
        session, model_version=model_version, target=target, text_chars=0, precision=precision, **filters
    )
    left_out = n_matching - n_precise
    note = {"n_left_out_imprecise_dates": left_out}
    if left_out:
        note["dates_note"] = (
            f"{left_out} article(s) dated only to the month or year are left out of "
            f"{_ADVERBS[interval]} trends; "
            "use interval=month to include month-dated ones."
        )
    return selection, note


def wants_csv(args: Mapping[str, Any]) -> bool:
    """``?format=csv``, or no ``format`` and an ``Accept`` header that prefers CSV to JSON."""
    if args.get("format"):
        return args["format"] == "csv"
    accept = request.accept_mimetypes
    return accept.quality(CSV_MIMETYPE) > accept.quality("application/json")


def render(
    result: Any,
    args: Mapping[str, Any],
    model: ModelRef,
    *,
    default_table: str = "prevalence",
    extra_metadata: Mapping[str, Any] | None = None,
    records: Sequence[ArticleRecord] = (),
    articles: Mapping[str, Any] | None = None,
) -> Any:
    """The result as ``{"metadata", "tables"}`` (JSON), one table as CSV, or a Vega-Lite spec.

    ``articles`` describes the input for the manifest when there are no ``records`` (counted rows).
    """
    metadata = {**result.metadata(), "model": asdict(model), **(extra_metadata or {})}
    tables = result.tables()
    settings = correction_settings(args, model, result.frames)
    if settings is not None:
        unit = getattr(result, "unit", "group" if getattr(result, "grouping", None) else "outlet")
        tables = correct_tables(tables, settings, unit=unit)
        metadata["correction"] = correction_metadata(settings)
    metadata["manifest"] = record_manifest(records, args, model, tables, articles)
    if wants_csv(args):
        table = args.get("table") or default_table
        if table not in tables:
            error = NotEnoughDataError(
                f"this answer has no {table!r} table (corrected tables need correction=)"
            )
            error.errors = [{"field": "table", "location": "query", "detail": str(error)}]  # type: ignore[attr-defined]
            raise error
        response = Response(to_csv(tables[table]), mimetype=CSV_MIMETYPE)
        response.headers["Content-Disposition"] = f'inline; filename="{table}.csv"'
        response.headers["X-Model-Versions"] = ",".join(metadata["model_versions"])
        response.headers["X-Codebook-Hashes"] = ",".join(metadata["codebook_hashes"])
        response.headers["X-Manifest-Id"] = metadata["manifest"]["id"]
        return response
    if args.get("format") == "vega-lite":
        if hasattr(result, "buckets"):
            spec = trend_spec(result, variable=args.get("variable") or "frame")
        else:
            spec = heatmap_spec(result)
        spec["usermeta"] = {"framescope": metadata}
        return Response(json.dumps(spec, sort_keys=False), mimetype="application/json")
    return {"metadata": metadata, "tables": tables}


def comparison_options(args: Mapping[str, Any]) -> dict[str, Any]:
    """The statistical options a request may set (the rest keep ``compare_outlets``' defaults)."""
    options = {k: args[k] for k in ("min_articles", "n_terms", "confidence_level", "syndicated") if k in args}
    options.setdefault("n_resamples", int(current_app.config["COMPARISON_RESAMPLES"]))
    return options
