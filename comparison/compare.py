"""Compare outlets' framing and stance: prevalence, divergence, tests, vocabulary, omissions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from comparison.comparison_result import ComparisonResult
from comparison.errors import ComparisonError, InvalidParameterError
from comparison.outlet_tests import divergence_matrix, find_omissions, frame_tests, stance_test
from comparison.records import (
    DEFAULT_STANCE_LABELS,
    ArticleRecord,
    ComparisonWarning,
    build_arrays,
    count_cells,
    small_sample_warnings,
    validate_stances,
)
from comparison.results import ShareEstimate
from comparison.stats import check_confidence_level
from comparison.vocabulary import TermCounts, count_terms, fightin_words

Distribution = Literal["prevalence", "share", "dominant"]
DEFAULT_MAX_CHARS = 2000
DISTRIBUTIONS = ("prevalence", "share", "dominant")


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
) -> ComparisonResult:
    """Compare how outlets frame a set of articles (an event, or any filter) and whether it differs.

    Outlets are sorted by name; frames keep the given (codebook) order. Per frame, prevalence across
    outlets is tested (chi-square, Fisher or Monte Carlo, see :func:`~comparison.stats.independence_test`)
    and p-values are BH-adjusted across frames. An *omission* is a frame that more than half of the
    other outlets with ``min_articles`` articles use in at least ``usage_threshold`` of articles,
    while this outlet (itself with ``min_articles``) uses it in at most ``omission_threshold``.

    Notes
    -----
    Articles are treated as independent draws from each outlet's coverage. Monte Carlo p-values are
    seeded by ``random_state``: the same records give the same numbers.

    Distinctive vocabulary reads only the first ``max_chars_per_article`` characters of each text
    (default 2,000, about 330 words: the lead, where framing concentrates). Tokenising is the one
    per-word cost here; full 600-word texts take ~1.2 s for 10,000 articles on a 2-core machine, the
    default ~0.6 s (bench/bench_comparison.py). Pass ``None`` for full texts, ``vocabulary=False``
    to skip term counting, or ``term_counts`` (one row per outlet, e.g. from :func:`count_terms` or
    :meth:`TermCounts.aggregate` of counts stored per article) to reuse counts made earlier.
    """
    if distribution not in DISTRIBUTIONS:
        raise InvalidParameterError(f"distribution must be one of {DISTRIBUTIONS}, got {distribution!r}")
    if min_articles < 1 or not 0 <= omission_threshold < usage_threshold <= 1:
        raise InvalidParameterError(
            "need min_articles >= 1 and 0 <= omission_threshold < usage_threshold <= 1"
        )
    check_confidence_level(confidence_level)
    arrays = build_arrays(records, frames, allow_mixed_versions=allow_mixed_versions)
    stance_labels = tuple(stance_labels)
    stance_target = validate_stances(records, stance_labels)
    outlets, frame_keys, idx = arrays.outlets, arrays.frames, arrays.outlet_index
    n_out, n_frames = len(outlets), len(frame_keys)
    cells = count_cells(arrays, records, stance_labels, idx, n_out)
    counts, share_sums, stance_counts, n_articles = cells.present, cells.share_sums, cells.stance, cells.n
    warnings = list(arrays.warnings) + small_sample_warnings(outlets, n_articles.tolist(), min_articles)
    if n_out < 2:
        warnings.append(ComparisonWarning("single_outlet", "only one outlet: nothing to compare against"))

    mean_shares = share_sums / n_articles[:, None]
    prevalence = tuple(
        ShareEstimate(
            o, "frame", f, int(counts[i, j]), int(n_articles[i]), confidence_level, float(mean_shares[i, j])
        )
        for i, o in enumerate(outlets)
        for j, f in enumerate(frame_keys)
    )

    dominant_keys = (*frame_keys, "none")
    dominant_pos = {k: j for j, k in enumerate(frame_keys)}
    dom_col = np.fromiter(
        (
            dominant_pos.get(r.dominant_frame, -1) if r.dominant_frame is not None else n_frames
            for r in records
        ),
        dtype=np.intp,
        count=len(records),
    )
    if (dom_col < 0).any():
        warnings.append(
            ComparisonWarning(
                "unknown_dominant_frame",
                "some dominant frames are not among the "
                "compared frames; they are left out of the dominant-frame shares",
            )
        )
    dominant = np.zeros((n_out, n_frames + 1), dtype=np.int64)
    ok = dom_col >= 0
    np.add.at(dominant, (idx[ok], dom_col[ok]), 1)
    dominant_frames = tuple(
        ShareEstimate(o, "dominant_frame", k, int(dominant[i, j]), int(dominant[i].sum()), confidence_level)
        for i, o in enumerate(outlets)
        if dominant[i].sum() > 0
        for j, k in enumerate(dominant_keys)
    )

    stance: list[ShareEstimate] = []
    for i, o in enumerate(outlets):
        n_labelled = int(stance_counts[i].sum())
        if n_labelled == 0:
            warnings.append(
                ComparisonWarning("no_stance", f"{o} has no article with a stance label", outlet=o)
            )
            continue
        stance += [
            ShareEstimate(o, "stance", s, int(stance_counts[i, j]), n_labelled, confidence_level)
            for j, s in enumerate(stance_labels)
        ]

    stance_result = stance_test(stance_counts, random_state, n_resamples, warnings) if n_out >= 2 else None
    divergence = tests = None
    if n_out >= 2:
        divergence = divergence_matrix(
            arrays, counts, share_sums, dominant[:, :n_frames], distribution, warnings
        )
        tests = frame_tests(arrays, counts, n_articles, random_state, n_resamples, warnings)
    vocab = None
    if vocabulary and n_out >= 2:
        if term_counts is None:
            term_counts = count_terms(
                [r.text for r in records],
                [r.outlet for r in records],
                max_chars_per_article=max_chars_per_article,
            )
        elif set(term_counts.labels) != set(outlets):
            raise InvalidParameterError(
                f"term_counts rows {sorted(term_counts.labels)} must be the outlets {list(outlets)}"
            )
        try:
            vocab = fightin_words(term_counts, n_terms=n_terms, min_count=min_term_count)
        except ComparisonError as exc:
            warnings.append(ComparisonWarning("no_vocabulary", f"distinctive terms not computed: {exc}"))
    omissions = find_omissions(
        arrays, counts, n_articles, min_articles, usage_threshold, omission_threshold, confidence_level
    )
    return ComparisonResult(
        outlets,
        frame_keys,
        stance_labels,
        tuple(int(n) for n in n_articles),
        confidence_level,
        arrays.model_versions,
        arrays.codebook_hashes,
        prevalence,
        dominant_frames,
        tuple(stance),
        divergence,
        tests or (),
        vocab,
        tuple(omissions),
        tuple(warnings),
        stance_target=stance_target,
        stance_test=stance_result,
    )
