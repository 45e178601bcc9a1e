"""Row-wise sparse products of the featuriser, in plain numpy, bit for bit as scipy computes them.

Why: one article is ~35 sentences, and the scipy.sparse products of ``SentenceFeaturizer.
features_from_counts`` (spelling merge, row scaling, lexicon counts, element-wise square, stacking)
cost ~20 matrix constructions and their format checks per request, more than their arithmetic.

The features must stay *identical*, not merely close: float32 sums depend on the order of the
entries in a row, and the heads sum each row's products in stored order. So every function here
reproduces the order scipy's compiled kernels leave the entries in (``sparsetools/csr.h``):

* ``csr_matmat`` (A @ B) accumulates each output row in a linked list with head insertion, so a
  row's columns come out in *reverse order of first appearance* while walking A's row in stored
  order and, for each entry, B's row in stored order; sums of exact integers are exact in any order;
* ``csr_binop_csr`` (``A.multiply(A)``) keeps stored order when the whole matrix is canonical
  (strictly increasing columns in every row) and otherwise reverses each row the same way;
* ``csr_hstack`` puts each row's entries of the left block before the right block's.

``count_ngrams`` replaces ``CountVectorizer.transform`` (a Python loop per n-gram with a dict
per document) for the plain word analyser the featuriser fits: the same tokens and n-grams, counted
in numpy, sorted as ``transform`` sorts them.

``tests/classifiers/test_sparse_rows.py`` checks every function against the scipy expression it
replaces, and the featuriser's output against ``features_from_counts`` on the corpus.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Rows:
    """A CSR matrix as its three arrays (no scipy object, no format checks)."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    n_cols: int

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    def row_of_entry(self) -> np.ndarray:
        """The row of every stored entry."""
        return np.repeat(np.arange(self.n_rows), np.diff(self.indptr))


def reversed_within_rows(indptr: np.ndarray) -> np.ndarray:
    """Permutation that reverses the entries of every row (its own inverse)."""
    counts = np.diff(indptr)
    k = np.arange(indptr[-1])
    rows = np.repeat(np.arange(len(counts)), counts)
    return indptr[rows] + indptr[rows + 1] - 1 - k


def is_canonical(rows: Rows) -> bool:
    """Whether every row's columns strictly increase (scipy's ``csr_has_canonical_format``)."""
    if len(rows.indices) < 2:
        return True
    increasing = np.diff(rows.indices) > 0
    starts = rows.indptr[1:-1]  # an entry that starts a row need not exceed the previous row's last
    increasing[starts[(starts > 0) & (starts < len(rows.indices))] - 1] = True
    return bool(increasing.all())


def matmat_indicator(rows: Rows, b_indptr: np.ndarray, b_indices: np.ndarray, n_cols: int) -> Rows:
    """``rows @ B`` for a B whose stored values are all 1 and whose products are exact (counts).

    Output order as ``csr_matmat``: per row, columns in reverse order of first appearance.
    """
    per_entry = np.diff(b_indptr)[rows.indices]
    if not per_entry.sum():
        empty = np.zeros(0, rows.indices.dtype)
        return Rows(np.zeros(0, rows.data.dtype), empty, np.zeros_like(rows.indptr), n_cols)
    src = np.repeat(np.arange(len(rows.indices)), per_entry)  # expanded entries, in traversal order
    offsets = np.arange(len(src)) - np.repeat(np.cumsum(per_entry) - per_entry, per_entry)
    cols = b_indices[b_indptr[rows.indices[src]] + offsets]
    row = rows.row_of_entry()[src]
    key = row.astype(np.int64) * n_cols + cols
    uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    sums = np.bincount(inverse.ravel(), weights=rows.data[src].astype(np.float64), minlength=len(uniq))
    out_row = uniq // n_cols
    order = np.lexsort((-first, out_row))
    indptr = np.zeros(rows.n_rows + 1, dtype=rows.indptr.dtype)
    np.cumsum(np.bincount(out_row, minlength=rows.n_rows), out=indptr[1:])
    return Rows(
        sums[order].astype(rows.data.dtype),
        (uniq % n_cols)[order].astype(rows.indices.dtype),
        indptr,
        n_cols,
    )


def row_sums_of_squares(rows: Rows) -> np.ndarray:
    """``rows.multiply(rows).sum(axis=1)`` as float32 in scipy's summation order."""
    squares = rows.data * rows.data
    if not is_canonical(rows):
        squares = squares[reversed_within_rows(rows.indptr)]
    out = np.zeros(rows.n_rows, dtype=squares.dtype)
    nonempty = np.flatnonzero(np.diff(rows.indptr))
    if len(nonempty):
        out[nonempty] = np.add.reduceat(squares, rows.indptr[nonempty])
    return out


def scale_rows(rows: Rows, factors: np.ndarray) -> Rows:
    """``diags(factors) @ rows``: each row times its factor, its entries reversed (``csr_matmat``)."""
    perm = reversed_within_rows(rows.indptr)
    data = factors[rows.row_of_entry()] * rows.data
    return Rows(data[perm], rows.indices[perm], rows.indptr, rows.n_cols)


def hstack_rows(left: Rows, right: Rows) -> Rows:
    """``hstack([left, right], format="csr")``: each row's left entries, then its right ones."""
    indptr = left.indptr + right.indptr
    n = indptr[-1]
    data = np.empty(n, dtype=left.data.dtype)
    indices = np.empty(n, dtype=left.indices.dtype)
    left_pos = np.arange(len(left.indices)) + right.indptr[left.row_of_entry()]
    right_pos = np.arange(len(right.indices)) + left.indptr[1:][right.row_of_entry()]
    data[left_pos], indices[left_pos] = left.data, left.indices
    data[right_pos], indices[right_pos] = right.data, right.indices + left.n_cols
    return Rows(data, indices, indptr, left.n_cols + right.n_cols)


#: CountVectorizer settings ``count_ngrams`` reproduces; any other value falls back to sklearn.
PLAIN_WORD_ANALYSER = {
    "analyzer": "word",
    "binary": False,
    "input": "content",
    "lowercase": True,
    "preprocessor": None,
    "stop_words": None,
    "strip_accents": None,
    "tokenizer": None,
}


def count_ngrams(vectorizer, docs: Sequence[str]) -> Rows | None:  # noqa: ANN001 - a CountVectorizer
    """``vectorizer.transform(docs)`` for a fitted plain word analyser; None for any other set-up.

    Same steps as sklearn's word analyser (lower-case, ``token_pattern.findall``, n-grams joined
    by one space, unknown n-grams dropped), counted per document with sorted columns.
    """
    plain = all(getattr(vectorizer, k, None) == v for k, v in PLAIN_WORD_ANALYSER.items())
    if not plain or not all(isinstance(d, str) for d in docs):  # (get_params costs 0.5 ms: inspect)
        return None
    pattern = re.compile(vectorizer.token_pattern)
    if pattern.groups > 1:
        return None
    min_n, max_n = vectorizer.ngram_range
    lookup = vectorizer.vocabulary_.get
    found = array("q")  # 8 bytes a match; a list of ints costs ~36 (1.4 million for 1,000 articles)
    indptr = [0]
    for doc in docs:
        tokens = pattern.findall(doc.lower())
        grams = list(tokens) if min_n == 1 else []
        for n in range(max(min_n, 2), max_n + 1):
            if n == 2:
                grams += [a + " " + b for a, b in zip(tokens, tokens[1:])]  # noqa: B905 - one shorter
            else:
                grams += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
        found.extend([i for i in map(lookup, grams) if i is not None])
        indptr.append(len(found))
    n_cols = len(vectorizer.vocabulary_)
    rows = np.repeat(np.arange(len(docs), dtype=np.int64), np.diff(indptr))
    keys, counts = np.unique(rows * n_cols + np.frombuffer(found, dtype=np.int64), return_counts=True)
    ptr = np.zeros(len(docs) + 1, dtype=np.int32)
    np.cumsum(np.bincount(keys // n_cols, minlength=len(docs)), out=ptr[1:])
    return Rows(counts.astype(vectorizer.dtype), (keys % n_cols).astype(np.int32), ptr, n_cols)


def merge_columns(rows: Rows, b_indptr: np.ndarray, b_indices: np.ndarray, n_cols: int) -> Rows:
    """``rows @ B`` for a 0/1 B with one entry per row (the featuriser's spelling merge).

    When no two entries of a row land in one column (no spelling variant next to its canonical
    form), ``csr_matmat`` only renames the columns and reverses each row; else ``matmat_indicator``.
    """
    if (np.diff(b_indptr)[rows.indices] != 1).any():
        return matmat_indicator(rows, b_indptr, b_indices, n_cols)
    target = b_indices[b_indptr[rows.indices]]
    key = rows.row_of_entry().astype(np.int64) * n_cols + target
    if len(np.unique(key)) != len(key):
        return matmat_indicator(rows, b_indptr, b_indices, n_cols)
    perm = reversed_within_rows(rows.indptr)
    return Rows(rows.data[perm], target[perm].astype(rows.indices.dtype), rows.indptr, n_cols)
