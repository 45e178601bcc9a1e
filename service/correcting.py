"""``correction=validation|annotations``: the validation figures that correct a comparison's shares.

``validation`` reads the figures shipped with the model (``fixtures/validation/<codebook>.json``,
written by ``python -m classifiers.validation``); ``annotations`` compares the named coders' codes
of stored articles with the stored labels of the same articles by the same model version, grouped
into units by outlet. Either is refused (422 naming the field) rather than silently describing
another instrument. Frame shares are corrected by the unit-level calibration fitted on the figures'
units (``comparison.unit_calibration``; fitted once per worker and figures, kept on the app), or by
the adjusted count when there are too few units (said in ``metadata.correction``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from flask import current_app

from classifiers import ModelRef
from classifiers.codebook import STANCE_LABELS
from classifiers.validation import validation_path
from comparison.corrected_tables import CorrectionSettings, ValidationFigures
from comparison.correction import FRAME_METHOD, BinaryValidation, CorrectionError, StanceValidation
from comparison.unit_calibration import UnitCalibration, ValidationUnit, fit_unit_calibration
from service.storage.coded_units import (
    CodedRow,
    fetch_article_outlets,
    fetch_coder_codes,
    fetch_model_codes,
)
from service.storage.db import get_session

SEED = 0
CALIBRATION_CACHE_SIZE = 16  # fitted calibrations kept per worker (shipped + recent coder sets)


def _refuse(field: str, detail: str) -> CorrectionError:
    error = CorrectionError(detail)
    error.errors = [{"field": field, "location": "query", "detail": detail}]  # type: ignore[attr-defined]
    return error


def shipped_figures(model: ModelRef) -> ValidationFigures:
    """The shipped figures for ``model``; a clear 422 when they describe another model version."""
    path = validation_path(model.codebook)
    if not path.is_file():
        raise _refuse("correction", f"No validation figures are shipped for codebook {model.codebook!r}.")
    figures = ValidationFigures.from_dict(json.loads(path.read_text()))
    if figures.model_version != model.version or figures.codebook_hash != model.codebook_hash:
        raise _refuse(
            "correction",
            f"The shipped validation figures describe model {figures.model_version}, not {model.version} "
            "(the labels compared). Regenerate them with `python -m classifiers.validation`, or use "
            "correction=annotations&coders=... with your own coding.",
        )
    return figures


def _majority(values: Sequence[Any]) -> Any:
    """The majority value, or ``None`` on a tie (left out of the counts)."""
    top = Counter(values).most_common(2)
    return None if len(top) > 1 and top[0][1] == top[1][1] else top[0][0]


def annotation_figures(model: ModelRef, coders: Sequence[str], frames: Sequence[str]) -> ValidationFigures:
    """Counts of the model's stored labels against the coders' majority codes of the same articles."""
    session = get_session()
    rows = fetch_coder_codes(session, model.codebook, list(dict.fromkeys(coders)))
    if missing := [c for c in coders if c not in rows]:
        raise _refuse("coders", f"No annotations under codebook {model.codebook!r} by {', '.join(missing)}.")
    by_article: dict[int, list[CodedRow]] = {}
    for coded in rows.values():
        for r in coded:
            by_article.setdefault(r.article_id, []).append(r)
    labelled = {r.article_id: r for r in fetch_model_codes(session, model.version, by_article)}
    if not labelled:
        raise _refuse(
            "coders", f"None of these coders' articles has a stored label from model {model.version}."
        )
    counts = {f: Counter() for f in frames}
    per_unit: dict[tuple[int, str], Counter] = {}
    outlets = fetch_article_outlets(session, labelled)
    stance = [[0] * len(STANCE_LABELS) for _ in STANCE_LABELS]
    index = {s: i for i, s in enumerate(STANCE_LABELS)}
    for article_id, predicted in labelled.items():
        codes = by_article[article_id]
        for f in frames:
            truth = _majority([f in c.frames for c in codes])
            hit = f in predicted.frames
            if truth is not None:
                counts[f][("t" if hit == truth else "f") + ("p" if hit else "n")] += 1
                unit = per_unit.setdefault((outlets[article_id], f), Counter())
                unit.update(n=1, labelled=hit, coded=truth)
        truth = _majority([c.stance if c.target == predicted.target else None for c in codes])
        if truth in index and predicted.stance in index:
            stance[index[truth]][index[predicted.stance]] += 1
    return ValidationFigures(
        frames={
            f: BinaryValidation(**{k: c[k] for k in ("tp", "fp", "fn", "tn")}) for f, c in counts.items()
        },
        stance=StanceValidation(STANCE_LABELS, tuple(tuple(r) for r in stance)),
        model_version=model.version,
        codebook_hash=model.codebook_hash,
        source="annotations",
        n_articles=len(labelled),
        details={"coders": list(coders), "unit_kind": "outlet"},
        units=tuple(
            ValidationUnit(str(outlet), f, c["n"], c["labelled"], c["coded"])
            for (outlet, f), c in sorted(per_unit.items())
        ),
    )


def unit_calibration(figures: ValidationFigures) -> tuple[UnitCalibration | None, str]:
    """The figures' unit-level calibration (cached per worker), or ``None`` and why not."""
    cache = current_app.extensions["framescope"].setdefault("unit_calibrations", {})
    key = (figures.units, SEED)
    if key not in cache:
        try:
            cache[key] = (fit_unit_calibration(figures.units, random_state=SEED), "")
        except CorrectionError as error:
            cache[key] = (None, f"adjusted count instead of the unit-level calibration: {error}")
        if len(cache) > CALIBRATION_CACHE_SIZE:
            cache.pop(next(iter(cache)))
    return cache[key]


def correction_settings(
    args: Mapping[str, Any], model: ModelRef, frames: Sequence[str]
) -> CorrectionSettings | None:
    """The settings a request asks for (``None`` without ``correction``)."""
    kind = args.get("correction")
    if not kind:
        return None
    figures = (
        shipped_figures(model) if kind == "validation" else annotation_figures(model, args["coders"], frames)
    )
    calibration, note = unit_calibration(figures)
    return CorrectionSettings(
        figures,
        n_draws=int(current_app.config["CORRECTION_DRAWS"]),
        random_state=SEED,
        confidence_level=args.get("confidence_level", 0.95),
        calibration=calibration,
        calibration_note=note,
    )


def correction_metadata(settings: CorrectionSettings) -> dict[str, Any]:
    """What corrected the shares, said in every corrected answer."""
    v = settings.validation
    return {
        "source": v.source,
        "model_version": v.model_version,
        "codebook_hash": v.codebook_hash,
        "n_validation_articles": v.n_articles,
        "n_draws": settings.n_draws,
        "random_state": settings.random_state,
        "validation_counts": v.to_dict(),
        "frame_method": FRAME_METHOD if settings.calibration is None else settings.calibration.method,
        "unit_calibration": None if settings.calibration is None else settings.calibration.to_dict(),
        "unit_calibration_note": settings.calibration_note or None,
        "reference": "docs/prevalence-correction.md",
    }
