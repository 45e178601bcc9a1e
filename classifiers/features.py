"""Sentence features: TF-IDF word n-grams plus codebook lexicon counts, in one pass.

One CountVectorizer tokenises a whole batch of sentences at once; the TF-IDF block and the
lexicon block (indicator phrases per frame, stance side terms, attribution cues) are both
derived from that single sparse count matrix, so featurising costs one tokenisation.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.utils.validation import check_is_fitted

from classifiers.codebook import Codebook
from classifiers.sparse_rows import (
    Rows,
    count_ngrams,
    hstack_rows,
    matmat_indicator,
    merge_columns,
    row_sums_of_squares,
    scale_rows,
)

#: Words keep inner hyphens/apostrophes ("de-escalation", "f-16"); quote marks are tokens
#: so the model can tell reported speech from the outlet's own voice.
TOKEN_PATTERN = r"(?u)\b\w+(?:[-'’]\w+)*\b|[\"“”«»]"
_TOKEN = re.compile(TOKEN_PATTERN)
#: Transliterations of the same place: a spelling convention or house style is not a stance, so
#: every variant is read as the current Ukrainian-based spelling before tokenising. Names that
#: carry a claim (a Russian renaming such as "Artemovsk", "Novorossiya") are left alone.
SPELLING_VARIANTS = {
    "kiev": "kyiv",
    "kharkov": "kharkiv",
    "odessa": "odesa",
    "lugansk": "luhansk",
    "nikolaev": "mykolaiv",
    "nikolayev": "mykolaiv",
    "zaporozhye": "zaporizhzhia",
    "zaporozhzhye": "zaporizhzhia",
    "dnepr": "dnipro",
    "dnepropetrovsk": "dnipro",
    "chernigov": "chernihiv",
    "lvov": "lviv",
    "rovno": "rivne",
    "donbass": "donbas",
}
_CANONICAL: dict[str, tuple[str, ...]] = {}
for _variant, _canon in SPELLING_VARIANTS.items():
    _CANONICAL.setdefault(_canon, ())
    _CANONICAL[_canon] += (_variant,)


def _token_variants(token: str) -> tuple[str, ...]:
    """Other spellings of a canonical token (``kyiv`` -> ``kiev``; ``kyiv's`` -> ``kiev's``)."""
    for suffix in ("", "'s", "’s"):
        base = token[: len(token) - len(suffix)] if suffix else token
        if (not suffix or token.endswith(suffix)) and base in _CANONICAL:
            return tuple(v + suffix for v in _CANONICAL[base])
    return ()


def _respell(token: str) -> str:
    for suffix in ("'s", "’s", ""):
        base = token[: len(token) - len(suffix)] if suffix else token
        if (not suffix or token.endswith(suffix)) and base in SPELLING_VARIANTS:
            return SPELLING_VARIANTS[base] + suffix
    return token


def normalise_text(text: str) -> str:
    """Lower-case ``text`` and respell place-name variants (``SPELLING_VARIANTS``) one way.

    Used at fit time only; at transform time the variants' n-gram columns are merged into the
    canonical ones (``SentenceFeaturizer.merge_``), which costs one sparse product per batch.
    """
    return _TOKEN_OR_GAP.sub(lambda m: _respell(m.group(0)), text.lower())


_TOKEN_OR_GAP = re.compile(r"\b\w+(?:['’]s)?\b")


#: Cues that a sentence reports somebody else's words rather than the outlet's own voice.
ATTRIBUTION_CUES = (
    "said",
    "says",
    "say",
    "told",
    "according to",
    "claimed",
    "claims",
    "stated",
    "added",
    "warned",
    "insisted",
    "argued",
    "alleged",
    "according",
    "quoted",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    '"',
    "“",
    "”",
    "«",
    "»",
)


def lexicons_from_codebook(
    codebook: Codebook, target: str | None = None
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Named phrase lists for the lexicon block: one per frame, stance sides, attribution."""
    lex = [(f.key, f.indicators) for f in codebook.frames]
    tdef = codebook.target(target or codebook.default_target)
    for side, terms in sorted(tdef.side_terms.items()):
        lex.append((f"side:{side}", terms))
    lex.append(("target:alias", tdef.aliases))
    lex.append(("attribution", ATTRIBUTION_CUES))
    return tuple(lex)


def _phrase_tokens(phrase: str) -> list[str]:
    return [_respell(t) for t in _TOKEN.findall(phrase.lower().replace("*", "star_"))] if phrase else []


class SentenceFeaturizer(TransformerMixin, BaseEstimator):
    """Turn sentences into [sublinear TF-IDF n-grams | log1p lexicon counts * lexicon_weight].

    Parameters
    ----------
    lexicons : tuple of (name, phrases)
        Phrase lists (1-2 words used as is; longer phrases are matched by their last two
        words; a trailing ``*`` matches any vocabulary word with that prefix).
    ngram_range, min_df : passed to the CountVectorizer.
    lexicon_weight : float
        Scale of the lexicon block relative to the unit-length TF-IDF block.
    """

    def __init__(self, *, lexicons=(), ngram_range=(1, 2), min_df=2, lexicon_weight=1.0):
        self.lexicons = lexicons
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.lexicon_weight = lexicon_weight

    def fit(self, X: Sequence[str], y=None) -> SentenceFeaturizer:
        docs = list(X)
        base = CountVectorizer(
            token_pattern=TOKEN_PATTERN,
            ngram_range=self.ngram_range,
            min_df=self.min_df,
            preprocessor=normalise_text,
            dtype=np.float32,
        )
        try:
            base.fit(docs)
            vocab = dict(base.vocabulary_)
        except ValueError:  # every term below min_df (tiny inputs)
            vocab = {}
        n_max = self.ngram_range[1]
        entries: list[tuple[str, int]] = []  # (n-gram, lexicon index)
        stars: list[tuple[str, int]] = []
        for j, (_, phrases) in enumerate(self.lexicons):
            for phrase in phrases:
                toks = _phrase_tokens(phrase)
                if not toks:
                    continue
                if len(toks) == 1 and toks[0].endswith("star_"):
                    stars.append((toks[0][: -len("star_")], j))
                    continue
                toks = [t.replace("star_", "") for t in toks][-n_max:]
                entries.append((" ".join(toks), j))
        for gram, _ in entries:
            vocab.setdefault(gram, len(vocab))
        unigrams = [t for t in vocab if " " not in t]
        for prefix, j in stars:
            entries.extend((t, j) for t in unigrams if t.startswith(prefix))
            vocab.setdefault(prefix, len(vocab))
            entries.append((prefix, j))
        n_canonical = len(vocab)
        full = dict(vocab)
        merge_rows, merge_cols = list(range(n_canonical)), list(range(n_canonical))
        for gram, idx in vocab.items():
            toks = gram.split(" ")
            options = [(t, *_token_variants(t)) for t in toks]
            if all(len(o) == 1 for o in options):
                continue
            for combo in itertools.product(*options):
                alt = " ".join(combo)
                if alt != gram and alt not in full:
                    full[alt] = len(full)
                    merge_rows.append(full[alt])
                    merge_cols.append(idx)
        self.vectorizer_ = CountVectorizer(
            token_pattern=TOKEN_PATTERN,
            ngram_range=self.ngram_range,
            lowercase=True,
            vocabulary=full,
            dtype=np.float32,
        )
        self.merge_ = sp.csr_matrix(
            (np.ones(len(merge_rows), np.float32), (merge_rows, merge_cols)), shape=(len(full), n_canonical)
        )
        rows = [vocab[g] for g, _ in entries]
        cols = [j for _, j in entries]
        lex = sp.csr_matrix(
            (np.ones(len(rows), np.float32), (rows, cols)), shape=(len(vocab), max(1, len(self.lexicons)))
        )
        lex.data[:] = 1.0  # duplicates collapse to one match per lexicon
        self.lexicon_matrix_ = lex
        self.lexicon_names_ = tuple(name for name, _ in self.lexicons)
        counts = self.transform_counts(docs)
        df = np.bincount(counts.indices, minlength=len(vocab))
        self.idf_ = (np.log((1 + len(docs)) / (1 + df)) + 1).astype(np.float32)
        self.n_features_out_ = len(vocab) + lex.shape[1]
        return self

    def transform_counts(self, X: Sequence[str]) -> sp.csr_matrix:
        """N-gram counts, spelling variants merged (one tokenisation pass for the whole batch)."""
        check_is_fitted(self, "vectorizer_")
        counts = self.vectorizer_.transform(X)
        merge = getattr(self, "merge_", None)  # absent in models pickled before spelling merges
        return counts if merge is None or merge.shape[0] == merge.shape[1] else (counts @ merge).tocsr()

    def lexicon_counts(self, counts: sp.csr_matrix) -> np.ndarray:
        """Matches per lexicon for each sentence, from the count matrix."""
        return np.asarray((counts @ self.lexicon_matrix_).todense())

    def features_from_counts(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """The model input: sublinear TF-IDF (L2-normalised) next to scaled log lexicon counts."""
        tf = counts.copy()
        np.log1p(tf.data, out=tf.data)
        tf.data *= self.idf_[tf.indices]
        norms = np.sqrt(np.asarray(tf.multiply(tf).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        tf = sp.diags(1.0 / norms).astype(np.float32) @ tf
        lex = counts @ self.lexicon_matrix_
        lex.data = np.log1p(lex.data) * self.lexicon_weight
        return sp.hstack([tf, lex], format="csr", dtype=np.float32)

    def transform(self, X: Sequence[str]) -> sp.csr_matrix:
        return self.features_from_counts(self.transform_counts(X))

    def transform_with_lexicon(self, X: Sequence[str]) -> tuple[sp.csr_matrix, np.ndarray]:
        """``transform(X)`` and the matches per lexicon (``lexicon_counts``), identical to both.

        Why: the same arithmetic as ``transform_counts`` + ``features_from_counts`` on the arrays
        (``classifiers.sparse_rows``), in the order scipy leaves the entries, without the ~20
        scipy matrix constructions that cost more than the arithmetic for one article.
        """
        check_is_fitted(self, "vectorizer_")
        rows = count_ngrams(self.vectorizer_, X)
        if rows is None:
            counts = self.vectorizer_.transform(X)
            rows = Rows(counts.data, counts.indices, counts.indptr, counts.shape[1])
        merge = getattr(self, "merge_", None)
        if merge is not None and merge.shape[0] != merge.shape[1]:
            rows = merge_columns(rows, merge.indptr, merge.indices, merge.shape[1])
        tf_data = np.log1p(rows.data)
        tf_data *= self.idf_[rows.indices]
        tf = Rows(tf_data, rows.indices, rows.indptr, rows.n_cols)
        norms = np.sqrt(row_sums_of_squares(tf))
        norms[norms == 0] = 1.0
        tf = scale_rows(tf, (1.0 / norms).astype(np.float32))
        lexicon = self.lexicon_matrix_
        lex = matmat_indicator(rows, lexicon.indptr, lexicon.indices, lexicon.shape[1])
        matches = np.zeros((rows.n_rows, lex.n_cols), dtype=np.float32)
        matches[lex.row_of_entry(), lex.indices] = lex.data
        scaled = (np.log1p(lex.data) * self.lexicon_weight).astype(np.float32)  # as hstack casts it
        lex_features = Rows(scaled, lex.indices, lex.indptr, lex.n_cols)
        out = hstack_rows(tf, lex_features)
        features = sp.csr_matrix((out.data, out.indices, out.indptr), shape=(rows.n_rows, out.n_cols))
        return features, matches


def with_encoder(X: sp.csr_matrix, encoder, texts: Sequence[str]) -> sp.csr_matrix:
    """Append the dense encoder block (``SentenceEncoder``) to the sparse features; no-op without one."""
    if encoder is None:
        return X
    return sp.hstack([X, encoder.transform(texts)], format="csr", dtype=np.float32)
