"""Compare outlets (or groups of outlets) on framing and stance: prevalence, divergence, tests, vocabulary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Literal

import numpy as np

from comparison.advice import merge_warnings, small_sample_advice
from comparison.comparison_result import ComparisonResult
from comparison.copies import SyndicationSource, count_copies
from comparison.divergence import divergence_pairs
from comparison.errors import ComparisonError, InvalidParameterError, NotEnoughDataError
from comparison.grouping import Grouping, maybe_group
from comparison.label_table import LabelTable, coverage_from_table, table_from_records
from comparison.outlet_tests import find_omissions, frame_tests, stance_test
from comparison.records import (
    DEFAULT_STANCE_LABELS,
    ArticleRecord,
    ComparisonWarning,
    cell_counts,
    small_sample_warnings,
)
from comparison.shares import dominant_counts, dominant_rows, prevalence_rows, stance_rows
from comparison.stats import check_confidence_level
from comparison.syndication import THRESHOLD, SyndicationResult
from comparison.vocabulary import TermCounts, count_terms, fightin_words

Distribution = Literal["prevalence", "share", "dominant"]
Syndicated = Literal["once", "each", "off"]
DEFAULT_MAX_CHARS = 2000
DISTRIBUTIONS = ("prevalence", "share", "dominant")
SYNDICATED = ("once", "each", "off")


def compare_outlets(
    records: Sequence[ArticleRecord],
    frames: Sequence[str],
    *,
    stance_labels: Sequence[str] = DEFAULT_STANCE_LABELS,
    min_articles: int = 5,
    n_terms: int = 15,
    confidence_level: float = 0.95,
    distribution: Distribution = "prevalence",
    usage_threshold: float = 0.25,
    omission_threshold: float = 0.05,
    allow_mixed_versions: bool = False,
    vocabulary: bool = True,
    term_counts: TermCounts | None = None,
    max_chars_per_article: int | None = DEFAULT_MAX_CHARS,
    min_term_count: int = 3,
    n_resamples: int = 9999,
    random_state: int = 0,
    group_of: Mapping[str, str | None] | None = None,
    group_by: str | None = None,
    syndicated: Syndicated = "once",
    syndication_threshold: float = THRESHOLD,
    syndication_source: SyndicationSource = "texts",
    stratify_by_event: bool = False,
    n_bootstrap: int = 200,
    min_term_documents: int = 5,
    syndication: SyndicationResult | None = None,
) -> ComparisonResult:
    """Compare how outlets (or groups of outlets) frame a set of articles and whether it differs.

    Units (outlets, or the values of ``group_of[outlet]`` named ``group_by``) are sorted; frames keep
    the given (codebook) order. Per frame, prevalence across units is tested (chi-square, Fisher or
    Monte Carlo, see :func:`~comparison.stats.independence_test`; with ``stratify_by_event`` a
    generalised Cochran–Mantel–Haenszel test within events, see :func:`~comparison.strata.stratified_test`)
    and p-values are BH-adjusted across frames. An *omission* is a frame that more than half of the
    other units with ``min_articles`` articles use in at least ``usage_threshold`` of articles, while
    this unit (itself with ``min_articles``) uses it in at most ``omission_threshold``.

    Syndicated copies (near-duplicate texts, :func:`~comparison.syndication.find_syndication`) count
    once per unit by default (``syndicated="once"``); ``"each"`` counts every copy, ``"off"`` skips
    detection. Records without ``article_id`` are named by their position in ``records``.
    ``syndication_source="records"`` takes the clusters from the records' ``syndication_cluster``
    (assigned at ingest) instead of detecting them from the texts; ``syndication_source="flags"``
    takes records a database read has already aggregated and flagged (``is_copy``), with the clusters
    it found as ``syndication``.

    Records may be weighted (``ArticleRecord.weight``: one record for that many articles with the
    same labels); every count, test, interval and divergence is then the one the articles would give
    one record each (divergence intervals draw articles as multinomial counts of distinct rows, see
    :func:`~comparison.divergence.divergence_pairs`). Weighted records carry no texts: pass their
    units' ``term_counts`` (or ``vocabulary=False``), and ``distribution="share"`` needs per-article
    shares, so it refuses them.

    Honest small samples: Cramér's V is left out when some unit has fewer than ``min_articles``
    articles, tests are skipped when no unit has two (without strata every permutation then gives
    the same statistic), distinctive terms are ranked only for units with ``min_term_documents``
    articles, and ``advice`` says what to do instead. Divergence intervals are a percentile bootstrap
    over articles (``n_bootstrap`` resamples; 0 for none).

    Notes
    -----
    Articles are treated as independent draws from each unit's coverage. Monte Carlo p-values and
    bootstrap intervals are seeded by ``random_state``: the same records give the same numbers.
    Distinctive vocabulary reads only the first ``max_chars_per_article`` characters of each text
    (default 2,000, about 330 words: the lead, where framing concentrates); ``None`` reads full texts,
    ``vocabulary=False`` skips term counting, ``term_counts`` (one row per unit) reuses counts.
    """
    check_options(
        distribution, syndicated, min_articles, omission_threshold, usage_threshold, confidence_level
    )
    if not records:
        raise NotEnoughDataError("no articles to compare")
    warnings: list[ComparisonWarning] = []
    records, grouping = maybe_group(records, group_of, group_by, warnings)
    raw_n: Counter[str] = Counter()
    for r in records:
        raw_n[r.outlet] += r.weight
    records, syndication = count_copies(
        records, syndicated, syndication_threshold, syndication_source, syndication
    )
    if stratify_by_event:
        undated = sum(r.weight for r in records if r.event is None)
        if undated:
            warnings.append(
                ComparisonWarning("missing_event", f"{undated} article(s) without an event left out")
            )
            records = [r for r in records if r.event is not None]
    table = table_from_records(records, frames, stance_labels, allow_mixed_versions=allow_mixed_versions)
    if vocabulary and term_counts is None and len(table.arrays.outlets) >= 2:
        if table.arrays.weights is not None:
            raise InvalidParameterError(
                "weighted records carry no texts: pass term_counts or vocabulary=False"
            )
        term_counts = count_terms(
            [r.text for r in records],
            [r.outlet for r in records],
            max_chars_per_article=max_chars_per_article,
        )
    return compare_table(
        table,
        raw_n=raw_n,
        warnings=warnings,
        grouping=grouping,
        syndication=syndication,
        syndicated=syndicated,
        stratify_by_event=stratify_by_event,
        term_counts=term_counts if vocabulary else None,
        min_articles=min_articles,
        n_terms=n_terms,
        confidence_level=confidence_level,
        distribution=distribution,
        usage_threshold=usage_threshold,
        omission_threshold=omission_threshold,
        min_term_count=min_term_count,
        n_resamples=n_resamples,
        random_state=random_state,
        n_bootstrap=n_bootstrap,
        min_term_documents=min_term_documents,
    )


def check_options(  # noqa: PLR0913
    distribution: str,
    syndicated: str,
    min_articles: int,
    omission_threshold: float,
    usage_threshold: float,
    confidence_level: float,
) -> None:
    """Refuse unknown option values before any counting."""
    if distribution not in DISTRIBUTIONS:
        raise InvalidParameterError(f"distribution must be one of {DISTRIBUTIONS}, got {distribution!r}")
    if syndicated not in SYNDICATED:
        raise InvalidParameterError(f"syndicated must be one of {SYNDICATED}, got {syndicated!r}")
    if min_articles < 1 or not 0 <= omission_threshold < usage_threshold <= 1:
        raise InvalidParameterError(
            "need min_articles >= 1 and 0 <= omission_threshold < usage_threshold <= 1"
        )
    check_confidence_level(confidence_level)


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
