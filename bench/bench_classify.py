"""In-process classification throughput on ~600-word articles built from our corpus.

usage: python bench/bench_classify.py [--n-articles 2000] [--batch 200] [--processes 2]

Reports articles/s and sentences/s for (a) featurising alone — sentence split plus
vectorising, the floor any classifier built on these features pays — and (b) the full
``classify_many`` (frames, stance, evidence), single process and N processes, and the ratio
(b)/(a), and (c) a plain word (1,2)-gram TF-IDF of the same articles, with the cost ratio
(c)/(b) that issue 9 bounds at 2. Results go to stdout and bench/results/classify.json (``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from multiprocessing import get_context
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from classifiers import load_codebook, load_corpus, load_or_train  # noqa: E402
from classifiers.article import prepare_article  # noqa: E402

CACHE = REPO / "instance" / "models"
_MODEL = None


def make_articles(n: int, words: int = 600) -> list[tuple[str, str, None]]:
    """Deterministic ~600-word articles: consecutive corpus sentences, wrapping around."""
    codebook = load_codebook()
    corpus = load_corpus(codebook)
    sentences = [s.text for a in corpus.articles for s in a.sentences]
    titles = [a.title for a in corpus.articles]
    out, k = [], 0
    for i in range(n):
        body, n_words = [], 0
        while n_words < words:
            s = sentences[k % len(sentences)]
            body.append(s)
            n_words += len(s.split())
            k += 1
        out.append((titles[i % len(titles)], " ".join(body), None))
    return out


def _model():
    global _MODEL
    if _MODEL is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _MODEL = load_or_train(load_codebook(), CACHE)
    return _MODEL


def featurise(items, batch: int) -> int:
    model, n_sent = _model(), 0
    for i in range(0, len(items), batch):
        texts = [s for t, x, _ in items[i : i + batch] for s in prepare_article(t, x).texts]
        model.sentence_model_.featurizer.transform(texts)
        n_sent += len(texts)
    return n_sent


_TFIDF = None


def _tfidf():
    """A plain word (1,2)-gram TF-IDF fitted on the corpus articles: the cost yardstick of issue 9."""
    global _TFIDF
    if _TFIDF is None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        corpus = load_corpus(load_codebook())
        _TFIDF = TfidfVectorizer(ngram_range=(1, 2), min_df=2).fit(
            [f"{a.title}\n{a.text}" for a in corpus.articles]
        )
    return _TFIDF


def tfidf(items, batch: int) -> int:
    vec = _tfidf()
    for i in range(0, len(items), batch):
        vec.transform([f"{t}\n{x}" for t, x, _ in items[i : i + batch]])
    return 0


def classify(items, batch: int) -> int:
    model, n_sent = _model(), 0
    for i in range(0, len(items), batch):
        n_sent += sum(r.n_sentences for r in model.classify_many(items[i : i + batch]))
    return n_sent


def _worker(args):
    fn, items, batch = args
    c0 = time.process_time()
    n_sent = {"featurise": featurise, "classify": classify, "tfidf": tfidf}[fn](items, batch)
    return n_sent, time.process_time() - c0


def timed(fn, items, batch: int, processes: int) -> dict:
    """Wall-clock and CPU-time throughput (the machine is shared, so CPU time is reported too)."""
    if processes == 1:
        t0, c0 = time.perf_counter(), time.process_time()
        n_sent = fn(items, batch)
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    else:
        chunks = [items[i::processes] for i in range(processes)]
        with get_context("fork").Pool(processes) as pool:
            pool.map(_worker, [(fn.__name__, c[:batch], batch) for c in chunks])  # warm-up: model loaded
            t0 = time.perf_counter()
            parts = pool.map(_worker, [(fn.__name__, c, batch) for c in chunks])
            dt = time.perf_counter() - t0
        n_sent, cpu = sum(p[0] for p in parts), sum(p[1] for p in parts)
    return {
        "seconds": round(dt, 3),
        "cpu_seconds": round(cpu, 3),
        "articles_per_s": round(len(items) / dt, 1),
        "articles_per_cpu_s": round(len(items) / cpu, 1),
        "sentences_per_s": round(n_sent / dt, 1),
        "n_sentences": n_sent,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n-articles", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "classify.json")
    args = ap.parse_args()
    items = make_articles(args.n_articles)
    n_words = sum(len(x.split()) for _, x, _ in items) / len(items)
    _model()
    _tfidf()
    featurise(items[: args.batch], args.batch)  # warm-up
    res = {
        "n_articles": len(items),
        "mean_words": round(n_words, 1),
        "batch": args.batch,
        "cpu_count": os.cpu_count(),
        "load_avg": os.getloadavg(),
        "model": _model().version,
    }
    for procs in (1, args.processes):
        feat = timed(featurise, items, args.batch, procs)
        full = timed(classify, items, args.batch, procs)
        plain = timed(tfidf, items, args.batch, procs)
        res[f"processes_{procs}"] = {
            "featurise": feat,
            "classify": full,
            "plain_tfidf": plain,
            "ratio": round(full["articles_per_s"] / feat["articles_per_s"], 3),
            # issue 9: classifying through the app costs at most 2x a plain (1,2)-gram TF-IDF
            "cost_vs_plain_tfidf": round(plain["articles_per_s"] / full["articles_per_s"], 3),
        }
        print(
            f"{procs} process(es): featurise {feat['articles_per_s']:.0f} articles/s "
            f"({feat['sentences_per_s']:.0f} sentences/s); classify {full['articles_per_s']:.0f} articles/s "
            f"({full['sentences_per_s']:.0f} sentences/s); ratio {res[f'processes_{procs}']['ratio']:.2f}; "
            f"per CPU-second: featurise {feat['articles_per_cpu_s']:.0f}, "
            f"classify {full['articles_per_cpu_s']:.0f}; "
            f"plain TF-IDF {plain['articles_per_s']:.0f} articles/s, "
            f"cost vs plain TF-IDF {res[f'processes_{procs}']['cost_vs_plain_tfidf']:.2f}x (goal <= 2)"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=2))
    print(f"{len(items)} articles of ~{n_words:.0f} words; load average {res['load_avg']}")


if __name__ == "__main__":
    main()
