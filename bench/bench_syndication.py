"""Syndication detection cost (MinHash + LSH over 10,000 and 100,000 articles) against classification.

usage: python bench/bench_syndication.py [--sizes 10000 100000] [--classify 1000]

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

from common import load_average, write_result  # noqa: E402

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", nargs="*", type=int, default=[10_000, 100_000])
    ap.add_argument("--classify", type=int, default=1000, help="articles classified to measure the rate")
    args = ap.parse_args()
    rng = random.Random(0)
    texts = make_texts(max(args.sizes), rng)
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
    write_result("syndication", result)


if __name__ == "__main__":
    main()
