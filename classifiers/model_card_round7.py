"""Model-card section: round 7 of issue 9 (a larger, pre-registered yardstick for the excerpt head).

The protocol below was written and committed before any figure of it was computed (round 6's
figures were known: this is a second test of the same hypothesis, which the protocol says).
The figures come from ``bench/experiment_round7.py`` and are recorded as text, like round 6's,
because recomputing them takes minutes of cross-validation and the test half must be read once.
"""

from __future__ import annotations

ROUND7_PROTOCOL = [
    "## Round 7: a larger, pre-registered yardstick for the excerpt head",
    "",
    "**Why a second test.** Round 6 tested `article_head_excerpts: 4, article_head_excerpt_keep: 0.5`",
    "and it failed criterion (b) narrowly (held-out excerpts +0.008, interval -0.001 to +0.018), so it",
    "was not adopted and that decision stands. This round is a second, larger test of the same",
    "hypothesis (an article head that also learns from excerpts is better on short texts), chosen",
    "after seeing round 6; a pass here is therefore weaker evidence than a first pass would have",
    "been, which is why the bar for a gain is tightened for multiple candidates and not relaxed.",
    "",
    "**Protocol, fixed before measuring** (`bench/experiment_round7.py`, committed with this text).",
    "",
    "- Candidates, fixed in advance: **A (primary)** = served parameters + `article_head_excerpts: 4,",
    "  article_head_excerpt_keep: 0.5` (round 6's candidate); **B** = served + `article_head_excerpts:",
    "  4, article_head_excerpt_keep: 0.3` (shorter training excerpts). Training excerpts are seeded",
    "  by `random_state` (0), the product code `classifiers.article_head.corpus_excerpts`.",
    "- Yardstick for (b): **10 held-out excerpts of each corpus article** (4,720 for 472 articles),",
    "  5 at keep 0.5 (seed 7005) and 5 at keep 0.3 (seed 7003), pooled; seeds disjoint from the",
    "  training excerpts (0) and from every seed round 6 used (1, 10-14, 101). The head that",
    "  predicts an article's excerpts never saw that article or its excerpts (event-grouped folds;",
    "  training excerpts join a fold only with their article). Frame macro-F1 over the pooled",
    "  excerpts; paired bootstrap over corpus articles (an article's 10 excerpts resampled together).",
    "- Criteria, per candidate, against the served parameters (same out-of-fold sentence scores):",
    "  (a) grouped CV on whole corpus articles: frame macro-F1 not lower by more than 0.005, stance",
    "  and dominant accuracy not worse beyond noise (95 % paired-bootstrap interval not",
    "  entirely below zero);",
    "  (b) frame macro-F1 gain on the yardstick with its interval above zero; (c) tune half of",
    "  `../shared/eval`: frame macro-F1 gain with its interval above zero, stance macro-F1 and",
    "  dominant accuracy not worse beyond noise (95 % interval not entirely below zero).",
    "- Multiple-comparison guard: the gain intervals of (b) and (c) are **Bonferroni-adjusted for",
    "  the two candidates: 97.5 % intervals** (percentiles 1.25 and 98.75); the 95 % intervals are",
    "  reported beside them. Paired bootstraps: 1,000 resamples, seed 0.",
    "- Winner: a candidate wins only if it meets (a), (b) and (c). If both win, **A** is adopted (it",
    "  was named primary in advance; B is not preferred for a larger point gain). If neither wins,",
    "  nothing is adopted and the test half stays unread.",
    "- Test half: read **once**, only for the adopted candidate, after the decision above; reported",
    "  whatever it says (test, test-other, test-ru-ua; model, served model and keyword dictionary;",
    "  paired bootstrap against the served model). A loss whose 95 % interval lies below zero on",
    "  any headline figure (frame macro-F1, stance macro-F1, dominant accuracy) means not adopted.",
    "",
]

ROUND7 = ROUND7_PROTOCOL
