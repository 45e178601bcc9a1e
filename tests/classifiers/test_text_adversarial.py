"""No text within the limits costs more than linear time (issue 16).

The bounds are generous on purpose (a loaded 2-core machine must not make them flaky): each timing is
the best of a few runs of CPU time and is compared with a linear baseline measured in the same test.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifiers.text import count_words, has_min_words

#: The per-request text cap (FRAMESCOPE_MAX_TEXT_CHARS default).
MAX_TEXT_CHARS = 500_000

#: Units that repeat into the shapes that hurt backtracking regexes and sentence splitters.
UNITS = st.sampled_from(
    [
        "a",  # one long word, no spaces
        "Ж",  # a long non-Latin word
        "ab1",  # letters and digits, no spaces
        "!?",  # repeated punctuation
        "..",
        "a-",  # hyphenated run
        "'a",
        "A b. ",  # many short sentences
        "Yes! ",
        "x\n",  # many lines
        " ",
        "\u201c",  # quote marks (tokens of their own)
    ]
)


def cpu_seconds(func: Callable[[], object], *, repeat: int = 3) -> float:
    """Best CPU time of ``repeat`` runs: the least disturbed by other processes."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        func()
        best = min(best, time.process_time() - start)
    return best


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(units=st.lists(UNITS, min_size=1, max_size=3), size=st.integers(2_000, 6_000))
def test_min_words_check_is_linear(units: list[str], size: int) -> None:
    """``has_min_words`` on one long sentence costs about what a single regex scan of it costs."""
    pattern = "".join(units)
    sentence = (pattern * (size // len(pattern) + 1))[:size]
    assert has_min_words(sentence) == (count_words(sentence) >= 3)
    baseline = cpu_seconds(lambda: count_words(sentence))
    # The old backtracking regex took ~0.6 s on 5,000 letters (quadratic); a scan takes microseconds.
    assert cpu_seconds(lambda: has_min_words(sentence)) <= 20 * baseline + 0.05


def test_one_long_word_classifies_fast(classifier) -> None:
    """One 500,000-character word (within every limit) took ~5 s of CPU before the fix."""
    assert cpu_seconds(lambda: classifier.classify("t", "a" * MAX_TEXT_CHARS), repeat=1) < 2.0


@pytest.fixture(scope="module")
def short_sentence_baseline(classifier) -> float:
    """CPU time of the costliest ordinary text: 500,000 characters of short English sentences."""
    text = ("Officials said the talks would continue. " * (MAX_TEXT_CHARS // 41 + 1))[:MAX_TEXT_CHARS]
    return cpu_seconds(lambda: classifier.classify("t", text), repeat=2)


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(units=st.lists(UNITS, min_size=1, max_size=4))
def test_adversarial_shapes_cost_no_more_than_ordinary_text(
    classifier, short_sentence_baseline: float, units: list[str]
) -> None:
    """Any repetition of the adversarial units, at the text limit, stays within the linear budget."""
    pattern = "".join(units)
    text = (pattern * (MAX_TEXT_CHARS // len(pattern) + 1))[:MAX_TEXT_CHARS]
    spent = cpu_seconds(lambda: classifier.classify("Headline", text), repeat=1)
    assert spent <= 3 * short_sentence_baseline + 1.5, (pattern, spent, short_sentence_baseline)
