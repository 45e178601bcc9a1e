"""A reliability report over coded articles: alpha per frame, dominant frame and stance, and a model
scored against each coder and their consensus.

Plain Python over :class:`CodedArticle` values (no Flask, no SQL), so a notebook can run it on any
coding sheet.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from comparison.errors import InvalidParameterError, NotEnoughDataError
from comparison.records import ComparisonWarning
from comparison.reliability import ALPHA_ACCEPTABLE, ALPHA_TENTATIVE, AgreementResult, agreement
from comparison.results import format_table

#: The value of dominant frame and stance when a coder chose none (no frame present / the article
#: does not concern the target): a decision like any other label, so it counts in agreement.
NONE_LABEL = "(none)"


@dataclass(frozen=True)
class CodedArticle:
    """One coder's (or a model's) codes for one article."""

    frames: frozenset[str]
    dominant: str | None = None
    stance: str | None = None


@dataclass(frozen=True)
class ModelScore:
    """Precision, recall and F1 of the model against one reference (a coder or the consensus).

    Frames are binary (positive: present); dominant frame and stance are macro averages over the
    labels either side used, a label's undefined precision or recall counting as 0.
    """

    variable: str
    category: str | None
    reference: str
    precision: float | None
    recall: float | None
    f1: float | None
    accuracy: float
    n_units: int
    average: str

    def row(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _prf(reference: Sequence[Hashable], predicted: Sequence[Hashable], positive: Hashable) -> tuple:
    tp = sum(r == positive and p == positive for r, p in zip(reference, predicted, strict=True))
    n_pred, n_ref = sum(p == positive for p in predicted), sum(r == positive for r in reference)
    precision = tp / n_pred if n_pred else None
    recall = tp / n_ref if n_ref else None
    f1 = 2 * tp / (n_pred + n_ref) if n_pred + n_ref else None
    return precision, recall, f1


def score_model(
    reference: Mapping[Hashable, Hashable],
    predicted: Mapping[Hashable, Hashable],
    *,
    positive: Hashable = None,
) -> tuple[float | None, float | None, float | None, float, int]:
    """(precision, recall, F1, accuracy, n) over the units both have: binary for ``positive``, else
    macro-averaged over the labels either side used (undefined per-label values count as 0, as
    scikit-learn's ``zero_division=0``)."""
    units = [u for u in reference if u in predicted]
    if not units:
        raise NotEnoughDataError("the model labelled none of the reference's units")
    ref, pred = [reference[u] for u in units], [predicted[u] for u in units]
    accuracy = sum(r == p for r, p in zip(ref, pred, strict=True)) / len(units)
    if positive is not None:
        return (*_prf(ref, pred, positive), accuracy, len(units))
    labels = sorted(set(ref) | set(pred), key=repr)
    per_label = [[v or 0.0 for v in _prf(ref, pred, label)] for label in labels]
    macro = [sum(col) / len(labels) for col in zip(*per_label, strict=True)]
    return (*macro, accuracy, len(units))


def consensus(codes: Mapping[str, Mapping[Hashable, Hashable]]) -> tuple[dict[Hashable, Hashable], int]:
    """Majority value per unit among the coders who coded it, and the number of tied units.

    Units coded by one coder only, and ties (e.g. two coders who disagree), have no consensus and
    are left out.
    """
    units = dict.fromkeys(u for values in codes.values() for u in values)
    result, n_ties = {}, 0
    for unit in units:
        counts = Counter(values[unit] for values in codes.values() if unit in values).most_common()
        if sum(n for _, n in counts) < 2:
            continue
        if len(counts) > 1 and counts[0][1] == counts[1][1]:
            n_ties += 1
            continue
        result[unit] = counts[0][0]
    return result, n_ties


def _variables(frames: Sequence[str]) -> list[tuple[str, str | None, Any, Hashable]]:
    """(variable, category, how to read a CodedArticle, the positive value or None) per measure."""
    rows: list[tuple[str, str | None, Any, Hashable]] = [
        ("frame", f, (lambda c, f=f: f in c.frames), True) for f in frames
    ]
    rows.append(("dominant_frame", None, lambda c: c.dominant or NONE_LABEL, None))
    rows.append(("stance", None, lambda c: c.stance or NONE_LABEL, None))
    return rows


@dataclass(frozen=True)
class ReliabilityResult:
    """Agreement among coders (and with a model), and the model's scores against them."""

    coders: tuple[str, ...]
    frames: tuple[str, ...]
    agreement: tuple[AgreementResult, ...]
    model: str | None = None
    model_agreement: tuple[AgreementResult, ...] = ()
    model_scores: tuple[ModelScore, ...] = ()
    warnings: tuple[ComparisonWarning, ...] = ()
    n_consensus_ties: Mapping[str, int] | None = None

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        rows = [{**a.row(), "includes_model": False} for a in self.agreement]
        rows += [{**a.row(), "includes_model": True} for a in self.model_agreement]
        return {
            "agreement": rows,
            "model_scores": [s.row() for s in self.model_scores],
            "warnings": [w.row() for w in self.warnings],
        }

    def metadata(self) -> dict[str, Any]:
        return {
            "coders": list(self.coders),
            "model": self.model,
            "frames": list(self.frames),
            "thresholds": {"unacceptable_below": ALPHA_TENTATIVE, "tentative_below": ALPHA_ACCEPTABLE},
            "consensus": "majority of the coders who coded a unit; ties and single-coder units left out",
            "consensus_ties": dict(self.n_consensus_ties or {}),
        }

    def summary(self) -> str:
        columns = ["variable", "category", "includes_model", "n_units", "alpha", "ci_low", "ci_high", "flag"]
        parts = [
            f"Reliability of {', '.join(self.coders)}",
            format_table(self.tables()["agreement"], columns),
        ]
        return "\n".join(parts + [f"warning [{w.code}] {w.message}" for w in self.warnings])

    def __str__(self) -> str:
        return self.summary()


def reliability_report(
    codes: Mapping[str, Mapping[Hashable, CodedArticle]],
    frames: Sequence[str],
    *,
    model: tuple[str, Mapping[Hashable, CodedArticle]] | None = None,
    n_resamples: int = 1000,
    confidence_level: float = 0.95,
    random_state: int | None = 0,
) -> ReliabilityResult:
    """Krippendorff's alpha per frame (presence), for the dominant frame and the stance (nominal).

    Parameters
    ----------
    codes : mapping of coder -> {article: CodedArticle}
    frames : the codebook's frame keys (every one gets a row, used or not).
    model : optional ``(name, {article: CodedArticle})``: alpha is recomputed with the model as one
        more coder, and the model gets precision/recall/F1 against each coder and the consensus.

    Notes
    -----
    Rows with alpha < .667 get the flag ``unacceptable`` and a warning (Krippendorff's advice:
    do not rely on such a variable); .667 <= alpha < .800 are ``tentative``. Units are articles;
    an article counts for a variable when at least two coders (or a coder and the model) coded it.
    """
    if len(codes) + (model is not None) < 2:
        raise InvalidParameterError("reliability needs two coders, or one coder and a model")
    options = {"n_resamples": n_resamples, "confidence_level": confidence_level, "random_state": random_state}
    measures = _variables(frames)
    human = dict(codes)
    coverage = Counter(u for units in human.values() for u in units)
    if model is not None:
        coverage.update(u for u in model[1] if u in coverage)
    if not any(n >= 2 for n in coverage.values()):
        raise NotEnoughDataError("no article was coded by two coders (or by a coder and the model)")

    def alphas(coders: Mapping[str, Mapping[Hashable, CodedArticle]]) -> tuple[AgreementResult, ...]:
        return tuple(
            agreement(
                {c: {u: read(a) for u, a in units.items()} for c, units in coders.items()},
                variable=variable,
                category=category,
                **options,
            )
            for variable, category, read, _ in measures
        )

    result = alphas(human) if len(human) >= 2 else ()
    model_rows: tuple[AgreementResult, ...] = ()
    scores: list[ModelScore] = []
    ties: dict[str, int] = {}
    if model is not None:
        name, predicted = model
        if name in human:
            raise InvalidParameterError(f"the model's name {name!r} is also a coder's")
        model_rows = alphas({**human, name: predicted})
        for variable, category, read, positive in measures:
            pred = {u: read(a) for u, a in predicted.items()}
            refs = {c: {u: read(a) for u, a in units.items()} for c, units in human.items()}
            agreed, ties[category or variable] = consensus(refs) if len(refs) >= 2 else ({}, 0)
            for reference, values in [*refs.items(), *([("consensus", agreed)] if agreed else [])]:
                if not any(u in pred for u in values):
                    continue
                p, r, f1, acc, n = score_model(values, pred, positive=positive)
                average = "binary" if positive is not None else "macro"
                scores.append(ModelScore(variable, category, reference, p, r, f1, acc, n, average))
    warnings = [*_unreliable(result, "among the coders"), *_unreliable(model_rows, "with the model")]
    return ReliabilityResult(
        coders=tuple(human),
        frames=tuple(frames),
        agreement=result,
        model=model[0] if model else None,
        model_agreement=model_rows,
        model_scores=tuple(scores),
        warnings=tuple(warnings),
        n_consensus_ties=ties if model else None,
    )


def _unreliable(rows: Sequence[AgreementResult], who: str) -> list[ComparisonWarning]:
    """One warning per row with alpha below .667 (Krippendorff: do not rely on the variable)."""
    return [
        ComparisonWarning(
            "unreliable",
            f"{' '.join(filter(None, (a.variable, a.category)))}: alpha {a.alpha:.3f} {who} is below "
            f"{ALPHA_TENTATIVE}; do not rely on this variable",
            frame=a.category,
        )
        for a in rows
        if a.alpha is not None and a.alpha < ALPHA_TENTATIVE
    ]
