"""Stored annotations (and a stored model version's labels) -> comparison.reliability_report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from comparison.reliability_report import CodedArticle, ReliabilityResult, reliability_report
from service.codebook_catalog import resolve_codebook
from service.storage.classified_rows import stored_version
from service.storage.coded_units import CodedRow, fetch_coder_codes, fetch_model_codes
from service.storage.errors import InvalidItemsError


def _query_error(field: str, detail: str) -> InvalidItemsError:
    return InvalidItemsError([{"field": field, "location": "query", "detail": detail}], detail)


def _coded(row: CodedRow, target: str) -> CodedArticle:
    """Article-level codes; a stance toward another target counts as none toward ``target``."""
    return CodedArticle(row.frames, row.dominant, row.stance if row.target == target else None)


def measure_reliability(
    session: Session, args: Mapping[str, Any]
) -> tuple[ReliabilityResult, dict[str, Any]]:
    """The reliability report for ``args`` (codebook, coders, target, model, bootstrap options) and
    the metadata of the answer (codebook, hashes the annotations were made under, model)."""
    codebook, _ = resolve_codebook(session, args["codebook"])
    target = args.get("target") or codebook.default_target
    if target not in codebook.target_keys:
        raise _query_error(
            "target", f"Unknown target {target!r}; allowed: {', '.join(codebook.target_keys)}."
        )
    coders: Sequence[str] = list(dict.fromkeys(args["coders"]))
    rows = fetch_coder_codes(session, codebook.key, coders)
    if missing := [c for c in coders if c not in rows]:
        shown = ", ".join(repr(c) for c in missing)
        raise _query_error("coders", f"No annotations under codebook {codebook.key!r} by {shown}.")
    codes = {c: {r.article_id: _coded(r, target) for r in rows[c]} for c in coders}
    model = None
    metadata: dict[str, Any] = {"model": None}
    if args.get("model"):
        model, metadata["model"] = _model_codes(session, args["model"], codebook.key, codes, target)
    n_resamples = args.get("n_resamples", int(current_app.config["RELIABILITY_RESAMPLES"]))
    result = reliability_report(
        codes,
        codebook.frame_keys,
        model=model,
        n_resamples=n_resamples,
        confidence_level=args.get("confidence_level", 0.95),
        random_state=args.get("seed", 0),
    )
    metadata |= {
        "codebook": {"key": codebook.key, "version": codebook.version, "hash": codebook.hash},
        "annotation_codebook_hashes": sorted({r.hash for c in coders for r in rows[c]}),
        "target": target,
        "n_resamples": n_resamples,
        "seed": args.get("seed", 0),
    }
    return result, metadata


def _model_codes(
    session: Session, version: str, codebook_key: str, codes: Mapping[str, Mapping[int, Any]], target: str
) -> tuple[tuple[str, dict[int, CodedArticle]], dict[str, Any]]:
    stored = stored_version(session, version)
    if stored is None:
        raise _query_error("model", f"No stored results of model version {version!r}.")
    if stored.model.codebook != codebook_key:
        detail = f"Model {version!r} labels codebook {stored.model.codebook!r}, not {codebook_key!r}."
        raise _query_error("model", detail)
    article_ids = {a for units in codes.values() for a in units}
    labelled = fetch_model_codes(session, version, article_ids)
    described = {
        "version": version,
        "codebook_hash": stored.model.codebook_hash,
        "n_articles_labelled": len(labelled),
        "n_articles_coded": len(article_ids),
    }
    return (version, {r.article_id: _coded(r, target) for r in labelled}), described
