"""Model-card section: round 6 of issue 9 (excerpt-augmented article head, fixed protocol).

The protocol was written here and committed before any figure of it was computed; the figures
come from ``bench/experiment_round6.py`` and are recorded as text because recomputing them takes
minutes of cross-validation and reads the test half, which must be read once.
"""

from __future__ import annotations

ROUND6_PROTOCOL = [
    "## Round 6: excerpt-augmented article head (fixed protocol)",
    "",
    "**Protocol, fixed before measuring** (round 5 found the lead; this round only decides it).",
    "Candidate: the served parameters plus `article_head_excerpts: 4`, `article_head_excerpt_keep:",
    "0.5`: the article head is also fitted on 4 random excerpts of each corpus article (headline and",
    "lede kept, every other sentence kept with probability 0.5, order kept, seeded by",
    "`random_state`; gold frames from the sentence labels by the codebook rule), whose sentence",
    "probabilities are the same out-of-fold ones as the whole articles'; in the nested CV of the",
    "head an excerpt trains a fold only when its article is in that fold's training part",
    "(`classifiers.article_head.corpus_excerpts`, `classifiers.cv.article_head_oof`). Adopt if and",
    "only if (a) grouped CV on whole corpus articles: frame macro-F1 not lower by more than 0.005,",
    "stance and dominant not lower beyond noise (paired bootstrap over articles, 95 % interval",
    "below zero); (b) grouped CV on 2 held-out excerpts of each corpus article (keep 0.5, seed",
    "`random_state + 1`, never a training excerpt): gain with a paired-bootstrap interval (over",
    "corpus articles) above zero; (c) tune half: frame macro-F1 gain with its paired-bootstrap",
    "interval (over tune articles) above zero, stance and dominant not worse beyond noise. Then the",
    "test half is scored once and reported whatever it says (test, test-other, test-ru-ua; model",
    "and keyword dictionary; paired bootstrap against the served model); a loss whose interval",
    "excludes zero on any headline figure (frame macro-F1, stance macro-F1, dominant accuracy)",
    "means not adopted. Bootstraps: 1,000 resamples, seed 0.",
    "",
]

ROUND6 = ROUND6_PROTOCOL
