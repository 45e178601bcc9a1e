"""Sentence splitting with character offsets, and language identification.

blingfire (a compiled, offline sentence breaker) does the splitting. Its offsets are
verified against the input: if they ever turn out to be UTF-8 byte offsets they are mapped
back to character offsets, so ``text[s.start:s.end] == s.text`` always holds.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache
from itertools import islice
from pathlib import Path

import blingfire
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

#: Sentences longer than this (characters) are cut at whitespace so nothing runs unbounded.
MAX_SENTENCE_CHARS = 600
#: Sentences need at least this many word tokens to be classified.
MIN_SENTENCE_WORDS = 3
_WORD = re.compile(r"[^\W\d_]+")
_STOP = frozenset(ENGLISH_STOP_WORDS)
log = logging.getLogger("framescope.langid")


@dataclass(frozen=True)
class Sentence:
    """One sentence and its character span in the text it came from."""

    text: str
    start: int
    end: int


def _byte_to_char(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Map UTF-8 byte offsets to character offsets (used only if blingfire returned bytes)."""
    encoded = text.encode("utf-8")
    out = []
    for start, end in spans:
        out.append(
            (len(encoded[:start].decode("utf-8", "ignore")), len(encoded[:end].decode("utf-8", "ignore")))
        )
    return out


def _offsets(text: str) -> list[tuple[int, int]]:
    """blingfire's offsets, checked: mapped from UTF-8 bytes to characters if needed."""
    joined, spans = blingfire.text_to_sentences_and_offsets(text)
    spans = [(int(a), int(b)) for a, b in spans]
    if spans and not text.isascii():
        last = joined.rsplit("\n", 1)[-1]
        a, b = spans[-1]
        if b > len(text) or text[a:b].split() != last.split():
            spans = _byte_to_char(text, spans)
    return spans


def _locate(text: str, sentences: list[str]) -> list[tuple[int, int]] | None:
    """Find each sentence in order in the text (C-speed ``str.find``); None if one is missing.

    blingfire's offset API maps offsets in Python and is ~4x slower than splitting alone;
    its sentences are verbatim substrings, so searching forward from the previous end
    recovers exact character offsets.
    """
    spans, pos = [], 0
    for sent in sentences:
        if not sent:
            continue
        start = text.find(sent, pos)
        if start < 0:
            return None
        pos = start + len(sent)
        spans.append((start, pos))
    return spans


def _chunk(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut an over-long span at whitespace into pieces of at most ``max_chars`` characters."""
    pieces = []
    while end - start > max_chars:
        cut = text.rfind(" ", start + max_chars // 2, start + max_chars)
        if cut <= start:
            cut = start + max_chars
        pieces.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        pieces.append((start, end))
    return pieces


def split_sentences(text: str, *, max_chars: int = MAX_SENTENCE_CHARS) -> list[Sentence]:
    """Split text into sentences whose offsets slice the input back to the sentence.

    Notes
    -----
    Newlines are treated as boundaries by blingfire, so headlines or paragraphs without
    final punctuation stay separate. Over-long spans (e.g. text without punctuation) are
    cut at whitespace into pieces of at most ``max_chars`` characters.
    """
    if not text or text.isspace():
        return []
    spans = _locate(text, blingfire.text_to_sentences(text).split("\n"))
    if spans is None:  # the fast path could not place a sentence: use blingfire's own offsets
        spans = _offsets(text)
    out: list[Sentence] = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b <= a:
            continue
        for s, e in _chunk(text, a, b, max_chars) if b - a > max_chars else ((a, b),):
            out.append(Sentence(text[s:e], s, e))
    return out


def has_min_words(sentence: str) -> bool:
    """True when the sentence has at least MIN_SENTENCE_WORDS alphabetic words; stops early.

    Notes
    -----
    Linear in the sentence length: each word is matched once. The earlier single regex
    (word, separator, word, separator, word) backtracked quadratically on a long run of letters
    without separators (a 500,000-character word took seconds per article).
    """
    return sum(1 for _ in islice(_WORD.finditer(sentence), MIN_SENTENCE_WORDS)) == MIN_SENTENCE_WORDS


def count_words(sentence: str) -> int:
    """Number of alphabetic word tokens (any script)."""
    return len(_WORD.findall(sentence))


def english_ratio(text: str, *, max_chars: int = 4000) -> tuple[float, int]:
    """Share of English stop words among the alphabetic tokens of the first ``max_chars``.

    English news prose has roughly 40-50 % stop words; other languages (including other
    Latin-script ones) have very few of these particular words.
    """
    words = _WORD.findall(text[:max_chars].lower())
    if not words:
        return 0.0, 0
    return sum(map(_STOP.__contains__, words)) / len(words), len(words)


#: English prose above this stop-word share (with at least FAST_PATH_WORDS words) skips the detector.
FAST_PATH_RATIO = 0.25
FAST_PATH_WORDS = 12
#: A text is called non-English only when the detector is at least this sure of another language.
MIN_CONFIDENCE = 0.5
#: Labels the detector may not return: English-based creoles that it confuses with headline English.
_EXCLUDED_LANGUAGES = frozenset({"pcm"})


#: Where py3langid's tables are unpacked for memory-mapping (``use_language_cache`` changes it).
_LANGID_BASE: list[Path] = [Path(__file__).resolve().parents[1] / "instance" / "models"]


def use_language_cache(base: Path | str) -> None:
    """Unpack and map the language model under ``base`` (the service passes its model cache)."""
    if Path(base) != _LANGID_BASE[0]:
        _LANGID_BASE[0] = Path(base)
        _identifier.cache_clear()


@cache
def _identifier():  # noqa: ANN202 - py3langid's LanguageIdentifier, imported lazily
    """The py3langid identifier, built once on first use, read-only.

    Its tables are memory-mapped from an unpacked copy (``classifiers.langid_store``) so all
    processes on a host share one copy; where that copy cannot be written it is loaded into memory.
    """
    from classifiers.langid_store import load_identifier

    try:
        return load_identifier(_LANGID_BASE[0], _EXCLUDED_LANGUAGES)
    except OSError as exc:
        log.warning("language model not mapped (%s); loading it into this process", exc)
        return _in_memory_identifier()


def _in_memory_identifier():  # noqa: ANN202 - py3langid's LanguageIdentifier
    """py3langid's own loading (~72 MiB private to the process), restricted like the mapped copy."""
    from py3langid.langid import _load_identifier

    ident = _load_identifier(norm_probs=True)
    ident.set_languages([lang for lang in ident.nb_classes if lang not in _EXCLUDED_LANGUAGES])
    # set_languages keeps the unrestricted matrices for a later reset we never make: 28 MB per process.
    ident._full_model = (ident.nb_ptc, ident.nb_pc, ident.nb_classes)
    return ident


def detect_language(text: str, *, max_chars: int = 300) -> tuple[str, float]:
    """ISO 639 code and probability from py3langid (naive Bayes over byte n-grams, 141 labels).

    Only the first ``max_chars`` characters are read: enough to tell a language, and the
    detector's cost grows with the length.
    """
    lang, prob = _identifier().classify(text[:max_chars])
    return str(lang), float(prob)


def language_of(text: str, *, min_words: int = 3) -> str:
    """``"en"`` for English (or too short to tell), else the detected language code.

    Notes
    -----
    Ordinary English prose is recognised by its stop words without running the detector
    (fast path). Headlines, lists and one-line texts have few stop words, so everything else
    goes to py3langid; a text is called non-English only when the detector gives another
    language at least ``MIN_CONFIDENCE`` (headline English it is unsure about stays English).
    """
    ratio, n_words = english_ratio(text)
    if n_words < min_words or (n_words >= FAST_PATH_WORDS and ratio >= FAST_PATH_RATIO):
        return "en"
    lang, prob = detect_language(text)
    return lang if lang != "en" and prob >= MIN_CONFIDENCE else "en"


def is_english(text: str) -> bool:
    """True unless ``language_of`` finds another language."""
    return language_of(text) == "en"
