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

ROUND7_RESULTS = [
    "Results (`python bench/experiment_round7.py`, 2026-12-08, load average 2.6-3.7 on the shared",
    "2-core machine; 77 CPU-s). Candidates `conflict-sparse-31fc68f944e0` (A) and",
    "`conflict-sparse-8eb62ee326b0` (B) against the served `conflict-sparse-339c1e24752f`;",
    "differences with their paired-bootstrap intervals (95 %; for the gains of (b) and (c) also",
    "the Bonferroni-adjusted 97.5 % that decides):",
    "",
    "| criterion | served | A (primary) | A − served | B | B − served | bar | met A / B |",
    "| --- | ---: | ---: | --- | ---: | --- | --- | --- |",
    "| (a) CV whole articles, frame macro-F1 | 0.8200 | 0.8208 | +0.0008 (-0.0077, +0.0086) "
    "| 0.8157 | -0.0043 (-0.0136, +0.0050) | not below -0.005 | yes / yes |",
    "| (a) CV stance macro-F1 | 0.9330 | 0.9330 | 0 | 0.9330 | 0 | not worse beyond noise | yes / yes |",
    "| (a) CV dominant accuracy | 0.8051 | 0.8030 | -0.0021 (-0.0106, +0.0042) | 0.8051 "
    "| +0.0000 (-0.0064, +0.0064) | not worse beyond noise | yes / yes |",
    "| (b) yardstick, 4,720 held-out excerpts, frame macro-F1 | 0.7362 | 0.7519 "
    "| +0.0158 (+0.0092, +0.0225); 97.5 % (+0.0085, +0.0233) | 0.7581 "
    "| +0.0220 (+0.0146, +0.0301); 97.5 % (+0.0137, +0.0311) | 97.5 % above zero | yes / yes |",
    "| (c) tune frame macro-F1 (109 articles) | 0.689 | 0.717 "
    "| +0.029 (+0.001, +0.064); 97.5 % (-0.003, +0.069) | 0.702 "
    "| +0.014 (-0.019, +0.052); 97.5 % (-0.027, +0.055) | 97.5 % above zero | **no / no** |",
    "| (c) tune stance macro-F1 | 0.516 | 0.516 | +0.000 | 0.516 | +0.000 | not worse beyond noise "
    "| yes / yes |",
    "| (c) tune dominant accuracy | 0.743 | 0.752 | +0.009 (+0.000, +0.028) | 0.743 "
    "| +0.000 (-0.028, +0.028) | not worse beyond noise | yes / yes |",
    "",
    "Yardstick parts (information, not criteria): keep 0.5 excerpts 0.7582 -> A 0.7692, B 0.7723;",
    "keep 0.3 excerpts 0.7090 -> A 0.7309, B 0.7409. Tune-other (56 articles) frame 0.685 -> A 0.726",
    "(+0.040, 95 % +0.005 to +0.091), B 0.690; tune-ru-ua (53) 0.759 -> A 0.771, B 0.769.",
    "",
    "**Decision: nothing adopted.** Both candidates pass (a) and, clearly, the larger yardstick (b);",
    "neither passes (c): A's tune gain (+0.029) has a 97.5 % interval that reaches below zero, B's",
    "(+0.014) a 95 % one too. A would have met all three criteria at the unadjusted 95 % level, the",
    "level of a one-candidate protocol; the adjustment was fixed before measuring because B was",
    "added, and it stands. **The test half was not read.** The served model stays",
    "`conflict-sparse-339c1e24752f`; `article_head_excerpts` stays 0 (an option).",
    "",
    "After the decision, and not used for it:",
    "",
    "- The miss in (c) is not an artefact of 1,000 resamples: A's 97.5 % lower bound is -0.002 to",
    "  -0.006 with bootstrap seeds 1-5; with 10,000 resamples (seed 0) the intervals are 95 %",
    "  (-0.001, +0.065) and 97.5 % (-0.005, +0.072), 3 % of resamples at or below zero.",
    "- Round 6's figures do not reproduce exactly in today's environment. Its own script at its own",
    "  commit (6e5adb7) now gives served CV frame 0.8200 (recorded 0.8206), (b) +0.0092 (+0.0001,",
    "  +0.0190) (recorded +0.0081 (-0.0011, +0.0181)) and tune A 0.717, +0.029 (+0.001, +0.064)",
    "  (recorded 0.725, +0.036 (+0.004, +0.072)), under the same model version strings. The",
    "  out-of-fold sentence probabilities are bit-identical between that commit and this round's",
    "  code and across repeated runs and processes, so the difference lies outside the committed code:",
    "  most likely the numeric environment, rebuilt since (now numpy 2.4.6, scipy 1.17.1, scikit-learn",
    "  1.9.1, OpenBLAS 0.3.31 with run-time CPU dispatch; the manifest records only the scikit-learn",
    "  version). Round 6's (b) sat on the edge in either environment, round 7's (b) is well clear of",
    "  it, and A's (c) is at the edge in both (95 % lower bound +0.004 then, +0.001 now).",
    "- What the two rounds show: on our corpus the excerpt head is better on short texts (+0.016",
    "  and +0.022 on 4,720 held-out excerpts, larger on the shorter ones); on real articles the gain",
    "  is the same sign but the 109-article tune half, already used for choices in rounds 4-7, cannot",
    "  resolve +0.03 at this bar. Another draw or candidate on the same tune half would be fishing;",
    "  deciding it needs new labelled real articles (short ones especially) or a one-candidate test",
    "  on fresh data, fixed in advance.",
    "",
]

ROUND7 = ROUND7_PROTOCOL + ROUND7_RESULTS
