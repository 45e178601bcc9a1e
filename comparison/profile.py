"""An outlet's frame and stance profile across events, compared with other outlets *within* events."""

from __future__ import annotations

import math
import warnings as pywarnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from statsmodels.stats.contingency_tables import StratifiedTable

from comparison.errors import NotEnoughDataError
from comparison.grouping import maybe_group
from comparison.profile_result import ProfileResult, StratifiedFrameResult
from comparison.records import (
    DEFAULT_STANCE_LABELS,
    ArticleRecord,
    ComparisonWarning,
    build_arrays,
    count_cells,
    validate_stances,
)
from comparison.results import ShareEstimate
from comparison.stats import benjamini_hochberg, check_confidence_level


def _stratified(tables: list[np.ndarray], alpha: float) -> dict[str, Any] | None:
    """The CMH fields of a :class:`StratifiedFrameResult` (all but the adjusted p-value), or ``None``."""
    informative = [t for t in tables if (t.sum(axis=0) > 0).all() and (t.sum(axis=1) > 0).all()]
    if not informative:
        return None
    with pywarnings.catch_warnings():
        pywarnings.simplefilter("ignore", RuntimeWarning)
        raw = StratifiedTable(informative)
        test = raw.test_null_odds(correction=False)
        shifted = StratifiedTable(informative, shift_zeros=True)
        odds = float(shifted.oddsratio_pooled)
        low, high = (float(x) for x in shifted.oddsratio_pooled_confint(alpha=alpha))
        homogeneity = float(raw.test_equal_odds().pvalue) if len(informative) > 1 else None
    statistic, pvalue = float(test.statistic), float(test.pvalue)
    if not all(math.isfinite(v) for v in (statistic, pvalue, odds, low, high)):
        return None
    if homogeneity is not None and not math.isfinite(homogeneity):
        homogeneity = None
    return {
        "n_events": len(informative),
        "n": int(sum(t.sum() for t in informative)),
        "odds_ratio": odds,
        "statistic": statistic,
        "pvalue": pvalue,
        "pvalue_homogeneity": homogeneity,
        "ci_low": low,
        "ci_high": high,
    }


def outlet_profile(
    records: Sequence[ArticleRecord],
    frames: Sequence[str],
    *,
    outlet: str | None = None,
    stance_labels: Sequence[str] = DEFAULT_STANCE_LABELS,
    confidence_level: float = 0.95,
    min_articles: int = 5,
    allow_mixed_versions: bool = False,
    group_of: Mapping[str, str | None] | None = None,
    group_by: str | None = None,
) -> ProfileResult:
    """Frame prevalence and stance of ``outlet`` (or every outlet) per event, plus stratified tests.

    Events differ in what frames they invite, and outlets cover different events, so pooling all
    articles would confound outlet with event. Instead, for each frame the outlet is compared with the
    other outlets *within* each event (a 2 × 2 table per event) and the tables are combined with the
    Cochran–Mantel–Haenszel test (STYLE rule 16); p-values are BH-adjusted across all tests.

    Notes
    -----
    Events where the outlet or the other outlets have no articles, or where nobody (or everybody)
    uses the frame, carry no information and are left out. The pooled odds ratio uses 0.5 added to
    the cells of tables with a zero (``shift_zeros``); the test uses the raw counts.
    Records without an ``event`` are left out with a warning. With ``group_of`` (outlet -> its value
    of the attribute ``group_by``) the units are groups: ``outlet`` then names a group, compared
    with the other groups within each event, and every table names the ``group``.
    """
    check_confidence_level(confidence_level)
    stance_labels = tuple(stance_labels)
    warnings: list[ComparisonWarning] = []
    records, grouping = maybe_group(records, group_of, group_by, warnings)
    with_event = [r for r in records if r.event is not None]
    n_without = sum(r.weight for r in records if r.event is None)
    if n_without:
        warnings.append(
            ComparisonWarning(
                "missing_event",
                f"{n_without} article(s) without an event left out of the profile",
            )
        )
    if not with_event:
        raise NotEnoughDataError("no article is assigned to an event")
    arrays = build_arrays(with_event, frames, allow_mixed_versions=allow_mixed_versions)
    stance_target = validate_stances(with_event, stance_labels)
    warnings = list(arrays.warnings) + warnings
    if outlet is not None and outlet not in arrays.outlets:
        raise NotEnoughDataError(f"outlet {outlet!r} has no articles with an event")
    profiled = arrays.outlets if outlet is None else (outlet,)
    events = tuple(sorted({r.event for r in with_event}))  # type: ignore[type-var]
    ev_pos = {e: j for j, e in enumerate(events)}
    ev = np.fromiter((ev_pos[r.event] for r in with_event), dtype=np.intp, count=len(with_event))
    n_out, n_ev = len(arrays.outlets), len(events)
    cell = arrays.outlet_index * n_ev + ev
    cells = count_cells(arrays, with_event, stance_labels, cell, n_out * n_ev)
    n_cell = cells.n.reshape(n_out, n_ev)
    present = cells.present.reshape(n_out, n_ev, -1)
    share_sums = cells.share_sums.reshape(n_out, n_ev, -1)
    stance_counts = cells.stance.reshape(n_out, n_ev, -1)

    prevalence: list[ShareEstimate] = []
    stance: list[ShareEstimate] = []
    candidates = []
    for name in profiled:
        o = arrays.outlets.index(name)
        for e, event in enumerate(events):
            n = int(n_cell[o, e])
            if n == 0:
                continue
            if n < min_articles:
                warnings.append(
                    ComparisonWarning(
                        "small_sample",
                        f"{name} has {n} article(s) on {event}, fewer than {min_articles}",
                        outlet=name,
                    )
                )
            prevalence += [
                ShareEstimate(
                    name,
                    "frame",
                    f,
                    int(present[o, e, j]),
                    n,
                    confidence_level,
                    float(share_sums[o, e, j] / n),
                    event=event,
                )
                for j, f in enumerate(arrays.frames)
            ]
            n_st = int(stance_counts[o, e].sum())
            if n_st:
                stance += [
                    ShareEstimate(
                        name, "stance", s, int(stance_counts[o, e, j]), n_st, confidence_level, event=event
                    )
                    for j, s in enumerate(stance_labels)
                ]
        others_n = n_cell.sum(axis=0) - n_cell[o]
        others_present = present.sum(axis=0) - present[o]
        for j, frame in enumerate(arrays.frames):
            tables = [
                np.array(
                    [
                        [present[o, e, j], n_cell[o, e] - present[o, e, j]],
                        [others_present[e, j], others_n[e] - others_present[e, j]],
                    ]
                )
                for e in range(n_ev)
                if n_cell[o, e] > 0 and others_n[e] > 0
            ]
            found = _stratified(tables, 1.0 - confidence_level)
            if found is None:
                warnings.append(
                    ComparisonWarning(
                        "test_not_applicable",
                        f"{name}/{frame}: no event where both "
                        "it and other outlets cover the story with variation in the "
                        "frame",
                        outlet=name,
                        frame=frame,
                    )
                )
            else:
                candidates.append((name, frame, found))
    adjusted = benjamini_hochberg([found["pvalue"] for _, _, found in candidates])
    stratified = tuple(
        StratifiedFrameResult(
            outlet=name, frame=frame, pvalue_adjusted=p_adj, confidence_level=confidence_level, **found
        )
        for (name, frame, found), p_adj in zip(candidates, adjusted.pvalues_adjusted, strict=True)
    )
    return ProfileResult(
        tuple(profiled),
        arrays.frames,
        events,
        confidence_level,
        arrays.model_versions,
        arrays.codebook_hashes,
        tuple(prevalence),
        tuple(stance),
        stratified,
        tuple(warnings),
        stance_target,
        grouping,
    )
