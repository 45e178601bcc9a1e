"""Syndication detection cost (MinHash + LSH over 10,000 and 100,000 articles) against classification.

usage: python bench/bench_syndication.py [--sizes 10000 100000] [--classify 1000] [--ingest 10000]

Ingest cost: the same texts stored through the article DAO in batches of 1,000 (as
``POST /v1/articles/batch`` does), then ``sign_articles`` timed per batch: signatures, band-key
lookup against everything stored before, cluster assignment, signature and band rows written, on
SQLite and on PostgreSQL (skipped without one). Also one article at a time on top of the full store.

Articles are ~600 words of corpus sentences drawn at random (seeded), 5 % of them reprints of another
article (trimmed, or with an added first sentence), so the clustering step has real work. The goal
(issue 10): detection under 10 % of the time classifying the same articles takes on this machine.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from common import drop_database, load_average, migrate, recreate_database, write_result  # noqa: E402

from classifiers import load_codebook, load_corpus, load_or_train  # noqa: E402
from comparison.syndication import find_syndication  # noqa: E402


def make_texts(n: int, rng: random.Random) -> list[str]:
    sentences = [s.text for a in load_corpus(load_codebook()).articles for s in a.sentences]
    texts = []
    for i in range(n):
        if i > 20 and rng.random() < 0.05:  # a reprint of an earlier article
            words = texts[rng.randrange(i)].split()
            texts.append(
                " ".join(words[: rng.randint(80, len(words))])
                if rng.random() < 0.5
                else "From our correspondent. " + " ".join(words)
            )
            continue
        body, n_words = [], 0
        while n_words < 600:
            s = rng.choice(sentences)
            body.append(s)
            n_words += len(s.split())
        texts.append(" ".join(body))
    return texts


def ingest_cost(texts: list[str], n: int, backend: str, tmp: Path) -> dict[str, float]:
    """Seconds ``sign_articles`` adds to storing ``n`` articles (batches of 1,000); ms per single article."""
    from sqlalchemy.orm import sessionmaker

    from service.storage.articles import ingest_articles
    from service.storage.db import make_engine
    from service.storage.signatures import sign_articles

    url = recreate_database("bench_syndication") if backend == "postgresql" else f"sqlite:///{tmp}/s.sqlite3"
    migrate(url)
    engine = make_engine(url)
    factory = sessionmaker(engine)
    items = [
        {"outlet": f"outlet-{i % 40}", "title": f"t{i}", "text": t, "url": f"https://x.example/{i}"}
        for i, t in enumerate(texts[: n + 20])
    ]
    signing = 0.0
    for start in range(0, n, 1000):
        with factory() as session:
            ids = ingest_articles(session, items[start : min(n, start + 1000)], create_missing=True).ids
            t0 = time.perf_counter()
            sign_articles(session, ids)
            session.commit()
            signing += time.perf_counter() - t0
    single = []
    for item in items[n : n + 20]:
        with factory() as session:
            ids = ingest_articles(session, [item], create_missing=True).ids
            t0 = time.perf_counter()
            sign_articles(session, ids)
            session.commit()
            single.append(time.perf_counter() - t0)
    engine.dispose()
    if backend == "postgresql":
        drop_database("bench_syndication")
    return {"seconds": round(signing, 2), "single_article_ms": round(1000 * sorted(single)[10], 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", nargs="*", type=int, default=[10_000, 100_000])
    ap.add_argument("--classify", type=int, default=1000, help="articles classified to measure the rate")
    ap.add_argument("--ingest", type=int, default=10_000, help="articles stored and signed (0: skip)")
    args = ap.parse_args()
    rng = random.Random(0)
    texts = make_texts(max([*args.sizes, args.ingest + 20]), rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = load_or_train(load_codebook(), REPO / "instance" / "models")
    sample = [("", t, None) for t in texts[: args.classify]]
    t0 = time.perf_counter()
    model.classify_many(sample)
    per_article = (time.perf_counter() - t0) / len(sample)
    result = {"classify_seconds_per_article_1_process": per_article, "sizes": {}, "load_avg": load_average()}
    for n in args.sizes:
        outlets = [f"outlet-{i % 40}" for i in range(n)]
        t0 = time.perf_counter()
        found = find_syndication(texts[:n], list(range(n)), outlets)
        seconds = time.perf_counter() - t0
        share = seconds / (per_article * n)
        result["sizes"][n] = {
            "seconds": round(seconds, 3),
            "n_clusters": len(found.clusters),
            "n_copies": found.n_copies,
            "classification_seconds_estimate": round(per_article * n, 1),
            "share_of_classification": round(share, 4),
        }
        print(
            f"{n:>7} articles: syndication {seconds:.2f} s, {len(found.clusters)} clusters; classifying "
            f"them ~{per_article * n:.0f} s (1 process) -> {share:.1%} of classification",
            flush=True,
        )
    if args.ingest:
        import tempfile

        result["ingest"] = {}
        for backend in ("sqlite", "postgresql"):
            try:
                with tempfile.TemporaryDirectory() as tmp:
                    cost = ingest_cost(texts, args.ingest, backend, Path(tmp))
            except RuntimeError as exc:  # no PostgreSQL here
                print(f"ingest on {backend}: skipped ({exc})", flush=True)
                continue
            per_10k = cost["seconds"] * 10_000 / args.ingest
            share = cost["seconds"] / (per_article * args.ingest)
            result["ingest"][backend] = {
                **cost,
                "seconds_per_10k": round(per_10k, 2),
                "share": round(share, 4),
            }
            print(
                f"ingest on {backend}: signing + clustering {args.ingest} articles in batches of 1,000 "
                f"{cost['seconds']:.2f} s ({per_10k:.2f} s per 10k, {share:.1%} of classifying them); "
                f"one article on top of the store {cost['single_article_ms']} ms",
                flush=True,
            )
    write_result("syndication", result)


if __name__ == "__main__":
    main()
