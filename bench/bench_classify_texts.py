"""Classification throughput on real articles from ``../shared`` (read in place, never copied).

usage: python bench/bench_classify_texts.py [--processes 2] [--batch 200]

The same measurement as ``bench_classify.py`` (featurising alone vs the full ``classify_many``,
single process and N processes, and their ratio), on two sets of real news text when present:
``eval`` (``../shared/eval/articles.jsonl``) and ``datasets`` (BASIL article bodies, the
Ukraine-crisis bias corpus and the FNC-1 test bodies under ``../shared/datasets``). Real articles
are shorter than the 600-word synthetic ones, so articles/s is higher and sentences/s is the figure
to compare. A set that is absent is reported as skipped. Results go to
``bench/results/classify_texts.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_classify  # noqa: E402  (the classifier helper's bench: same featurise/classify/timed)
from common import SHARED, load_average, write_result  # noqa: E402

Item = tuple[str, str, None]


def eval_texts() -> list[Item]:
    path = SHARED / "eval" / "articles.jsonl"
    if not path.is_file():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(r.get("title") or "", r["text"], None) for r in rows if r.get("text")]


def dataset_texts() -> list[Item]:
    """Whole real articles from three datasets (those with article bodies), in a fixed order."""
    base = SHARED / "datasets"
    items: list[Item] = []
    for path in sorted((base / "basil" / "articles").glob("*/*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        paragraphs = doc.get("body-paragraphs") or []
        body = " ".join(s.strip() for p in paragraphs for s in (p if isinstance(p, list) else [p]))
        if body:
            items.append((doc.get("title") or "", body, None))
    for path in sorted((base / "ukraine_news_bias" / "all-data-as-json").glob("article_*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        sentences = sorted(doc.get("sentences") or [], key=lambda s: s.get("position_in_article", 0))
        body = " ".join(s["content"].strip() for s in sentences if s.get("content"))
        if body:
            items.append(("", body, None))
    bodies = base / "fnc1" / "competition_test_bodies.csv"
    if bodies.is_file():
        csv.field_size_limit(10_000_000)
        with bodies.open(encoding="utf-8", newline="") as fh:
            items.extend(("", row["articleBody"], None) for row in csv.DictReader(fh) if row["articleBody"])
    return items


def measure(items: list[Item], batch: int, processes: int, min_articles: int = 1000) -> dict:
    """Time a set, repeated whole until it has ``min_articles`` (small sets time too fast to trust)."""
    n_distinct = len(items)
    items = items * -(-min_articles // n_distinct)
    out: dict = {
        "n_distinct": n_distinct,
        "n_articles": len(items),
        "mean_words": round(sum(len(x.split()) for _, x, _ in items) / len(items), 1),
        "load_avg": load_average(),
    }
    bench_classify.featurise(items[:batch], batch)  # warm-up
    for procs in sorted({1, processes}):
        feat = bench_classify.timed(bench_classify.featurise, items, batch, procs)
        full = bench_classify.timed(bench_classify.classify, items, batch, procs)
        out[f"processes_{procs}"] = {
            "featurise": feat,
            "classify": full,
            "ratio": round(full["articles_per_s"] / feat["articles_per_s"], 3),
        }
        print(
            f"  {procs} process(es): classify {full['articles_per_s']:.0f} articles/s "
            f"({full['sentences_per_s']:.0f} sentences/s), featurise {feat['articles_per_s']:.0f} "
            f"articles/s; ratio {out[f'processes_{procs}']['ratio']:.2f}",
            flush=True,
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--batch", type=int, default=200)
    args = ap.parse_args()
    bench_classify._model()
    res: dict = {"model": bench_classify._model().version}
    for name, loader in (("eval", eval_texts), ("datasets", dataset_texts)):
        items = loader()
        if not items:
            res[name] = {"skipped": f"no texts under {SHARED.resolve()}"}
            print(f"{name}: skipped (no texts)")
            continue
        print(f"{name}: {len(items)} articles", flush=True)
        res[name] = measure(items, args.batch, args.processes)
    write_result("classify_texts", res)


if __name__ == "__main__":
    main()
