"""Distinctive vocabulary: fast per-outlet term counts and Fightin' Words log-odds.

Counting is split from scoring so a caller can count once (or bring its own counts, e.g. cached
per stored article) and score many comparisons.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from comparison.errors import InvalidParameterError, NotEnoughDataError

TOKEN_PATTERN = r"(?u)\b\w\w+\b"  # scikit-learn's default: runs of two or more word characters
_TOKEN_RE = re.compile(TOKEN_PATTERN)
METHOD = "fightin-words-informative-dirichlet"
_CHUNK = 1000  # articles joined and split at a time


@dataclass(frozen=True)
class TermCounts:
    """A count matrix: one row per label (outlet or document), one column per term (sorted)."""

    labels: tuple[str, ...]
    vocabulary: tuple[str, ...]
    counts: sparse.csr_matrix

    def aggregate(self, labels: Sequence[str]) -> TermCounts:
        """Sum rows that share a label (e.g. documents → outlets); labels come out sorted."""
        if len(labels) != len(self.labels):
            raise InvalidParameterError("one label per row is required")
        groups = tuple(sorted(set(labels)))
        position = {g: i for i, g in enumerate(groups)}
        rows = np.fromiter((position[g] for g in labels), dtype=np.intp, count=len(labels))
        indicator = sparse.csr_matrix(
            (np.ones(len(labels)), (rows, np.arange(len(labels)))), shape=(len(groups), len(labels))
        )
        return TermCounts(groups, self.vocabulary, (indicator @ self.counts).astype(np.int64).tocsr())


def _truncate(text: str, max_chars: int | None) -> str:
    if max_chars is None or len(text) <= max_chars:
        return text
    cut = text.rfind(" ", 0, max_chars + 1)  # do not count a word cut in half
    return text[: cut if cut > 0 else max_chars]


def count_terms(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    stop_words: Iterable[str] | None = ENGLISH_STOP_WORDS,
    max_chars_per_article: int | None = None,
) -> TermCounts:
    """Count terms per label (outlet) in one pass per label.

    Gives exactly the counts of ``CountVectorizer(token_pattern=TOKEN_PATTERN, stop_words="english")``
    summed per label, about three times faster: each label's texts are joined, lower-cased and split
    on whitespace, whitespace tokens are counted in C (``Counter``), and only the *distinct*
    whitespace tokens go through the regular expression, once; a sparse product maps them to terms.
    This is exact because a token of ``TOKEN_PATTERN`` never spans whitespace.

    ``max_chars_per_article`` keeps only each article's first characters (cut at a space), for when
    full texts are too long for the time budget; leads carry most of a story's framing.
    """
    if len(texts) != len(labels):
        raise InvalidParameterError("one label per text is required")
    if max_chars_per_article is not None and max_chars_per_article < 1:
        raise InvalidParameterError("max_chars_per_article must be positive or None")
    stop = frozenset(stop_words or ())
    by_label: dict[str, list[str]] = {}
    for text, label in zip(texts, labels, strict=True):
        by_label.setdefault(label, []).append(text or "")  # references; truncated copies made per chunk
    groups = tuple(sorted(by_label))
    raw_index: dict[str, int] = {}  # distinct whitespace token -> row of the raw-to-term map
    rows, cols, data = [], [], []
    for i, group in enumerate(groups):
        raw: Counter[str] = Counter()
        texts_of_group = by_label[group]
        for start in range(0, len(texts_of_group), _CHUNK):  # bounded memory for big outlets
            chunk = texts_of_group[start : start + _CHUNK]
            if max_chars_per_article is not None:
                chunk = [_truncate(t, max_chars_per_article) for t in chunk]
            raw.update("\n".join(chunk).lower().split())
        for token in raw.keys() - raw_index.keys():
            raw_index[token] = len(raw_index)
        cols.append(np.fromiter(map(raw_index.__getitem__, raw), dtype=np.int64, count=len(raw)))
        data.append(np.fromiter(raw.values(), dtype=np.int64, count=len(raw)))
        rows.append(np.full(len(raw), i, dtype=np.int64))
    # each distinct whitespace token is split by the regex once; a sparse product adds up the parts
    parts = [[t for t in _TOKEN_RE.findall(token) if t not in stop] for token in raw_index]
    vocabulary = tuple(sorted({t for p in parts for t in p}))
    if not vocabulary:
        return TermCounts(groups, (), sparse.csr_matrix((len(groups), 0), dtype=np.int64))
    column = {t: j for j, t in enumerate(vocabulary)}
    n_parts = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    to_terms = sparse.csr_matrix(
        (
            np.ones(int(n_parts.sum()), dtype=np.int64),
            np.fromiter((column[t] for p in parts for t in p), dtype=np.int64, count=int(n_parts.sum())),
            np.concatenate([[0], np.cumsum(n_parts)]),
        ),
        shape=(len(parts), len(vocabulary)),
    )
    raw_counts = sparse.csr_matrix(
        (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
        shape=(len(groups), len(parts)),
    )
    matrix = (raw_counts @ to_terms).tocsr()
    matrix.sort_indices()
    return TermCounts(groups, vocabulary, matrix)


def count_document_terms(
    texts: Sequence[str],
    labels: Sequence[str] | None = None,
    *,
    stop_words: Iterable[str] | None = ENGLISH_STOP_WORDS,
    max_chars_per_article: int | None = None,
) -> TermCounts:
    """Per-document counts with scikit-learn's ``CountVectorizer`` (same tokens as :func:`count_terms`).

    Slower than :func:`count_terms`; use it when per-article counts are needed, e.g. to store
    them once and later :meth:`TermCounts.aggregate` any subset of articles per outlet.
    """
    docs = [_truncate(t or "", max_chars_per_article) for t in texts]
    vectorizer = CountVectorizer(
        token_pattern=TOKEN_PATTERN,
        lowercase=True,
        stop_words=sorted(stop_words) if stop_words else None,
        dtype=np.int64,
    )
    matrix = vectorizer.fit_transform(docs).tocsr()
    row_labels = tuple(labels) if labels is not None else tuple(str(i) for i in range(len(docs)))
    return TermCounts(row_labels, tuple(vectorizer.get_feature_names_out()), matrix)


@dataclass(frozen=True)
class DistinctiveTerm:
    """A term that marks ``outlet`` against all other outlets pooled."""

    outlet: str
    rank: int
    term: str
    z_score: float
    log_odds_ratio: float
    count: int
    count_rest: int

    def row(self) -> dict[str, Any]:
        return {
            "outlet": self.outlet,
            "rank": self.rank,
            "term": self.term,
            "z_score": self.z_score,
            "log_odds_ratio": self.log_odds_ratio,
            "count": self.count,
            "count_rest": self.count_rest,
        }


@dataclass(frozen=True)
class VocabularyResult:
    """Top distinctive terms per outlet (Fightin' Words), with the prior that produced them."""

    outlets: tuple[str, ...]
    terms: tuple[DistinctiveTerm, ...]
    n_tokens: tuple[int, ...]
    alpha0: float
    min_count: int
    method: str = METHOD

    def terms_for(self, outlet: str) -> tuple[DistinctiveTerm, ...]:
        return tuple(t for t in self.terms if t.outlet == outlet)

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        return {"distinctive_terms": [t.row() for t in self.terms]}

    def summary(self) -> str:
        lines = [
            f"Distinctive terms ({self.method}, alpha0={self.alpha0:.1f}; "
            "z ranks terms, |z| > 1.96 is the usual rough cut)"
        ]
        for outlet, n_tokens in zip(self.outlets, self.n_tokens, strict=True):
            top = ", ".join(f"{t.term} ({t.z_score:.1f})" for t in self.terms_for(outlet)[:8])
            lines.append(f"  {outlet} [{n_tokens} tokens]: {top or '-'}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def fightin_words(
    counts: TermCounts | ArrayLike,
    *,
    labels: Sequence[str] | None = None,
    vocabulary: Sequence[str] | None = None,
    prior: ArrayLike | None = None,
    alpha0: float | None = None,
    n_terms: int = 15,
    min_count: int = 3,
) -> VocabularyResult:
    """Weighted log-odds with an informative Dirichlet prior, each outlet against the rest.

    For outlet *i* and the pooled rest *j*, with prior pseudo-counts ``a_w = alpha0 * pi_w``::

        delta_w = log((y_iw + a_w) / (n_i + alpha0 - y_iw - a_w))
                - log((y_jw + a_w) / (n_j + alpha0 - y_jw - a_w))
        z_w     = delta_w / sqrt(1 / (y_iw + a_w) + 1 / (y_jw + a_w))

    ``pi_w`` is the term's share of all outlets' tokens (or of ``prior``, background counts from
    another corpus). ``alpha0`` defaults to the mean number of tokens per outlet: the prior is worth
    one average outlet, enough that rare words do not top the list on noise, weak enough that a term
    one outlet uses repeatedly rises. Terms with fewer than ``min_count`` tokens overall are skipped.
    Only terms the outlet itself uses are ranked; ties are broken by the term, so ranks are stable.

    Notes
    -----
    The variance treats token counts as multinomial, i.e. tokens as independent; repeated phrases
    inside one article inflate z. Read z as a ranking with a rough scale, not as a test.

    References
    ----------
    Monroe, B. L., Colaresi, M. P. & Quinn, K. M. (2008). Fightin' words: lexical feature selection
    and evaluation for identifying the content of political conflict. Political Analysis 16(4), 372–403.
    """
    if isinstance(counts, TermCounts):
        labels = counts.labels if labels is None else labels
        vocabulary = counts.vocabulary if vocabulary is None else vocabulary
        matrix = counts.counts
    else:
        matrix = counts
    y = matrix.toarray() if sparse.issparse(matrix) else np.asarray(matrix)
    if y.ndim != 2 or labels is None or vocabulary is None:
        raise InvalidParameterError("counts must be 2-D (outlets x terms) with labels and vocabulary")
    if y.shape != (len(labels), len(vocabulary)):
        raise InvalidParameterError(f"counts shape {y.shape} does not match labels x vocabulary")
    if n_terms < 1 or min_count < 1:
        raise InvalidParameterError("n_terms and min_count must be at least 1")
    if y.shape[0] < 2:
        raise NotEnoughDataError("Fightin' Words needs at least two outlets")
    y = y.astype(float)
    totals = y.sum(axis=0)
    background = totals if prior is None else np.asarray(prior, dtype=float)
    if background.shape != totals.shape or (background < 0).any():
        raise InvalidParameterError("prior must be non-negative counts, one per vocabulary term")
    keep = (totals >= min_count) & (background > 0)
    if not keep.any():
        raise NotEnoughDataError(f"no term occurs at least {min_count} times")
    y, totals, background = y[:, keep], totals[keep], background[keep]
    vocab = np.asarray(vocabulary, dtype=object)[keep]
    n_group = y.sum(axis=1)
    a0 = float(n_group.mean()) if alpha0 is None else float(alpha0)
    if a0 <= 0:
        raise InvalidParameterError("alpha0 must be positive")
    a = a0 * background / background.sum()
    rest = totals - y
    n_rest = n_group.sum() - n_group
    delta = (
        np.log(y + a)
        - np.log((n_group + a0)[:, None] - y - a)
        - np.log(rest + a)
        + np.log((n_rest + a0)[:, None] - rest - a)
    )
    z = delta / np.sqrt(1.0 / (y + a) + 1.0 / (rest + a))
    terms: list[DistinctiveTerm] = []
    for i, outlet in enumerate(labels):
        used = np.flatnonzero(y[i] > 0)
        if used.size == 0:
            continue
        k = min(used.size, n_terms)
        candidates = used[np.argpartition(-z[i, used], k - 1)[:k]] if used.size > k else used
        # widen to every term tied with the k-th score, then order by (-z, term) for stable ranks
        cutoff = z[i, candidates].min()
        candidates = used[z[i, used] >= cutoff]
        order = sorted(candidates, key=lambda j, row=z[i]: (-row[j], vocab[j]))[:k]
        terms += [
            DistinctiveTerm(
                outlet,
                rank + 1,
                str(vocab[j]),
                float(z[i, j]),
                float(delta[i, j]),
                int(y[i, j]),
                int(rest[i, j]),
            )
            for rank, j in enumerate(order)
        ]
    return VocabularyResult(tuple(labels), tuple(terms), tuple(int(n) for n in n_group), a0, min_count)
