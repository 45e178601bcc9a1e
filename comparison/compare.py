"""Compare outlets (or groups of outlets) on framing and stance: prevalence, divergence, tests, vocabulary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Literal

from comparison.comparison_result import ComparisonResult
from comparison.copies import SyndicationSource, count_copies
from comparison.errors import InvalidParameterError, NotEnoughDataError
from comparison.grouping import maybe_group
from comparison.label_table import table_from_records
from comparison.records import (
    DEFAULT_STANCE_LABELS,
    ArticleRecord,
    ComparisonWarning,
)
from comparison.stats import check_confidence_level
from comparison.syndication import THRESHOLD, SyndicationResult
from comparison.table_statistics import compare_table
from comparison.vocabulary import TermCounts, count_terms

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
