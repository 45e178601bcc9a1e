"""Validation figures: a model's error counts on a coded sample, as shipped or from a researcher's coders.

Numbers only (``fixtures/validation/<codebook>.json``, written by ``python -m classifiers.validation``):
per-frame TP/FP/FN/TN, stance confusion counts, labelled and coded counts per validation unit
(``comparison.unit_calibration``) and calibrated-probability sums per class (``comparison.quantifiers``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from comparison.correction import BinaryValidation, StanceValidation
from comparison.quantifiers import ScoreValidation
from comparison.unit_calibration import UnitCalibration, ValidationUnit, fit_unit_calibration


@dataclass(frozen=True)
class ValidationFigures:
    """A model's error rates on a validation sample: per-frame counts and stance confusion counts.

    ``source`` says where they come from (``"validation"``: shipped with the model; ``"annotations"``:
    a researcher's coders); ``model_version`` and ``codebook_hash`` the instrument they describe.
    ``units`` (labelled and coded counts per validation unit × frame) feed the unit-level
    calibration; ``scores`` (calibrated-probability sums per class) the PACC candidate.
    """

    frames: Mapping[str, BinaryValidation]
    stance: StanceValidation | None = None
    model_version: str | None = None
    codebook_hash: str | None = None
    source: str = "validation"
    n_articles: int = 0
    details: Mapping[str, Any] = field(default_factory=dict)
    units: tuple[ValidationUnit, ...] = ()
    scores: Mapping[str, ScoreValidation] = field(default_factory=dict)

    def calibration(self, random_state: int = 0) -> UnitCalibration:
        """The unit-level calibration fitted on ``units`` (``CorrectionError`` when there are too few)."""
        return fit_unit_calibration(self.units, random_state=random_state)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "model_version": self.model_version,
            "codebook_hash": self.codebook_hash,
            "source": self.source,
            "n_articles": self.n_articles,
            **dict(self.details),
            "frames": {k: vars(v) for k, v in self.frames.items()},
        }
        if self.stance is not None:
            out["stance"] = {
                "labels": list(self.stance.labels),
                "counts": [list(r) for r in self.stance.counts],
            }
        if self.units:
            out["units"] = units_to_rows(self.units)
        if self.scores:
            out["scores"] = {k: vars(v) for k, v in self.scores.items()}
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ValidationFigures:
        stance = raw.get("stance")
        known = {
            "model_version",
            "codebook_hash",
            "source",
            "n_articles",
            "frames",
            "stance",
            "units",
            "scores",
        }
        return cls(
            frames={k: BinaryValidation(**v) for k, v in raw["frames"].items()},
            stance=StanceValidation(tuple(stance["labels"]), tuple(tuple(r) for r in stance["counts"]))
            if stance
            else None,
            model_version=raw.get("model_version"),
            codebook_hash=raw.get("codebook_hash"),
            source=raw.get("source", "validation"),
            n_articles=int(raw.get("n_articles", 0)),
            details={k: v for k, v in raw.items() if k not in known},
            units=units_from_rows(raw.get("units", [])),
            scores={k: ScoreValidation(**v) for k, v in raw.get("scores", {}).items()},
        )


def units_from_rows(rows: Sequence[Mapping[str, Any]]) -> tuple[ValidationUnit, ...]:
    """``[{"n", "labelled": {frame: k}, "coded": {frame: k}}, ...]`` (one per unit) -> unit × frame rows.

    ``n`` is the unit's article count, or a mapping per frame where coders' ties left articles out.
    """
    return tuple(
        ValidationUnit(
            str(i),
            f,
            int(row["n"][f] if isinstance(row["n"], Mapping) else row["n"]),
            int(row["labelled"][f]),
            int(row["coded"][f]),
        )
        for i, row in enumerate(rows)
        for f in row["coded"]
    )


def units_to_rows(units: Sequence[ValidationUnit]) -> list[dict[str, Any]]:
    """The inverse of ``units_from_rows`` (unit names become positions)."""
    rows: dict[str, dict[str, Any]] = {}
    for u in units:
        row = rows.setdefault(u.unit, {"n": {}, "labelled": {}, "coded": {}})
        row["n"][u.frame] = u.n
        row["labelled"][u.frame] = u.labelled
        row["coded"][u.frame] = u.coded
    for row in rows.values():
        if len(set(row["n"].values())) == 1:
            row["n"] = next(iter(row["n"].values()))
    return list(rows.values())
