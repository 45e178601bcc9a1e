"""The statistics of a comparison, run on a :class:`~comparison.label_table.LabelTable`.

:func:`comparison.compare.compare_outlets` (records) and :func:`comparison.counted.compare_counts`
(counted rows) both end here, so the two give the same numbers for the same articles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from comparison.advice import merge_warnings, small_sample_advice
from comparison.comparison_result import ComparisonResult
from comparison.divergence import divergence_pairs
from comparison.errors import ComparisonError, InvalidParameterError
from comparison.grouping import Grouping
from comparison.label_table import LabelTable, coverage_from_table
from comparison.outlet_tests import find_omissions, frame_tests, stance_test
from comparison.records import ComparisonWarning, cell_counts, small_sample_warnings
from comparison.shares import dominant_counts, dominant_rows, prevalence_rows, stance_rows
from comparison.syndication import SyndicationResult
from comparison.vocabulary import TermCounts, fightin_words


def compare_table(  # noqa: PLR0913
    table: LabelTable,
    *,
    raw_n: Mapping[str, int],
    warnings: list[ComparisonWarning],
    grouping: Grouping | None,
    syndication: SyndicationResult | None,
    syndicated: str,
    stratify_by_event: bool,
    term_counts: TermCounts | None,
    min_articles: int,
    n_terms: int,
    confidence_level: float,
    distribution: str,
    usage_threshold: float,
    omission_threshold: float,
    min_term_count: int,
    n_resamples: int,
    random_state: int,
    n_bootstrap: int,
    min_term_documents: int,
) -> ComparisonResult:
    """The statistics of :func:`compare_outlets` on a :class:`LabelTable` (grouping, copies and
    events already handled; ``warnings`` so far, ``raw_n`` articles per unit before copies)."""
    arrays = table.arrays
    if arrays.weights is not None and distribution == "share":
        raise InvalidParameterError("distribution='share' needs one record per article (weight 1)")
    stance_labels = table.stance_labels
    units, frame_keys, idx = arrays.outlets, arrays.frames, arrays.outlet_index
    unit = "group" if grouping else "outlet"
    cells = cell_counts(arrays, table.stance, len(stance_labels), idx, len(units), table.present_counts)
    n_eff = cells.n
    warnings = (
        list(arrays.warnings) + warnings + small_sample_warnings(units, n_eff.tolist(), min_articles, unit)
    )
    advice = small_sample_advice(units, n_eff.tolist(), min_articles, unit)
    effect_sizes = bool((n_eff >= min_articles).all())
    if len(units) < 2:
        warnings.append(ComparisonWarning(f"single_{unit}", f"only one {unit}: nothing to compare against"))

    prevalence = prevalence_rows(units, frame_keys, cells, confidence_level)
    dominant = dominant_counts(arrays, table.dominant, warnings)
    stance = stance_rows(units, stance_labels, cells.stance, confidence_level, warnings)

    events: tuple[str, ...] = ()
    strata = None
    event_prevalence: list = []
    if stratify_by_event:
        events = table.events
        strata = cell_counts(
            arrays,
            table.stance,
            len(stance_labels),
            idx * len(events) + table.event,
            len(units) * len(events),
            table.present_counts,
        )
        for e, event in enumerate(events):
            in_event = replace(
                strata,
                n=strata.n[e :: len(events)],
                present=strata.present[e :: len(events)],
                share_sums=strata.share_sums[e :: len(events)],
                stance=strata.stance[e :: len(events)],
            )
            event_prevalence += prevalence_rows(units, frame_keys, in_event, confidence_level, event)
    testable = len(units) >= 2 and (strata is not None or int(n_eff.max()) >= 2)
    if len(units) >= 2 and not testable:
        warnings.append(
            ComparisonWarning(
                "tests_not_supported",
                f"every {unit} has one article: a test across {unit}s cannot tell them apart; see advice",
            )
        )
    stance_result = (
        stance_test(cells.stance, random_state, n_resamples, warnings, strata) if testable else None
    )
    divergence, tests, vocab = None, (), None
    if len(units) >= 2:
        rows_of, weights = idx, arrays.weights
        values = {"prevalence": arrays.present.astype(float), "share": arrays.shares}.get(distribution)
        if distribution == "prevalence" and table.patterns is not None:
            rows_of, present, weights = table.patterns
            values = present.astype(float)
        if values is None:  # dominant: one-hot of each article's dominant frame
            values = np.zeros(arrays.shares.shape)
            named = (table.dominant >= 0) & (table.dominant < len(frame_keys))
            values[np.flatnonzero(named), table.dominant[named]] = 1.0
        divergence = divergence_pairs(
            units,
            rows_of,
            values,
            distribution,
            warnings,
            min_articles=min_articles,
            confidence_level=confidence_level,
            n_resamples=n_bootstrap,
            random_state=random_state,
            weights=weights,
        )
    if testable:
        tests = frame_tests(
            arrays,
            cells.present,
            n_eff,
            random_state,
            n_resamples,
            warnings,
            effect_sizes=effect_sizes,
            strata=strata,
        )
    if term_counts is not None and len(units) >= 2:
        vocab = _vocabulary(units, n_eff, term_counts, n_terms, min_term_count, min_term_documents, warnings)
    omissions = find_omissions(
        arrays, cells.present, n_eff, min_articles, usage_threshold, omission_threshold, confidence_level
    )
    return ComparisonResult(
        units,
        frame_keys,
        stance_labels,
        tuple(int(raw_n[u]) for u in units),
        confidence_level,
        arrays.model_versions,
        arrays.codebook_hashes,
        tuple(prevalence),
        tuple(dominant_rows(units, frame_keys, dominant, confidence_level)),
        tuple(stance),
        divergence,
        tests,
        vocab,
        tuple(omissions),
        merge_warnings(warnings),
        stance_target=table.stance_target,
        stance_test=stance_result,
        grouping=grouping,
        n_effective=tuple(int(n) for n in n_eff),
        syndication=syndication,
        syndicated=syndicated,
        events=events,
        event_prevalence=tuple(event_prevalence),
        coverage=coverage_from_table(table) if events else (),
        advice=advice,
        effect_sizes_supported=effect_sizes,
    )


def _vocabulary(units, n_eff, term_counts, n_terms, min_count, min_docs, warnings):  # noqa: ANN001, ANN202, PLR0913
    """Fightin' Words, each unit against the rest; ranked only for units with ``min_docs`` articles."""
    if set(term_counts.labels) != set(units):
        raise InvalidParameterError(
            f"term_counts rows {sorted(term_counts.labels)} must be the units {list(units)}"
        )
    try:
        vocab = fightin_words(term_counts, n_terms=n_terms, min_count=min_count)
    except ComparisonError as exc:
        warnings.append(ComparisonWarning("no_vocabulary", f"distinctive terms not computed: {exc}"))
        return None
    few = [u for u, n in zip(units, n_eff, strict=True) if n < min_docs]
    if few:
        warnings.append(
            ComparisonWarning(
                "terms_not_supported",
                f"{len(few)} unit(s) have fewer than {min_docs} articles; no distinctive terms for them "
                "(a term from one or two articles is that article's topic, not the unit's vocabulary): "
                + ", ".join(few[:10]),
                items=tuple(few),
            )
        )
        vocab = replace(vocab, terms=tuple(t for t in vocab.terms if t.outlet not in set(few)))
    return vocab
