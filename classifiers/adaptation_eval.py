"""Does adaptation help on events nobody coded? Base model vs model adapted with coded articles.

usage: python -m classifiers.adaptation_eval [--choose] [--method article|sentence] [--sizes N ...]

The coded articles play a researcher's own sample: articles of the *tune* half of
``../shared/eval`` with the coders' consensus labels. The adapted model is scored on the *test*
half, whose events none of the coded articles share, against the base model on the same articles
(``--sizes`` gives the number of coded articles, drawn whole events at a time, seeded).

``--choose`` compares weights inside the tune half only (coded: half of its events; scored: the
other half), which is how the default ``weight`` was picked; the test half plays no part in it.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from classifiers.adaptation import CodedArticle, adapt, coded_scores, extend_corpus
from classifiers.build import train
from classifiers.cache import load_or_train
from classifiers.codebook import load_codebook
from classifiers.corpus import load_corpus
from classifiers.eval_split import load_split
from classifiers.scoring import EVAL_DIR, read_jsonl

SUMMARY = ("frame_macro_f1", "stance_macro_f1", "dominant_accuracy")


def coded_articles(articles: Sequence[Mapping], gold: Mapping[str, Mapping]) -> list[CodedArticle]:
    """Eval articles with their consensus labels, as a researcher's coded sample."""
    return [
        CodedArticle(
            id=a["id"],
            event=a["event"],
            title=a.get("title") or "",
            text=a.get("text") or "",
            frames=tuple(gold[a["id"]]["frames"]),
            dominant=gold[a["id"]].get("dominant"),
            stance=gold[a["id"]].get("stance"),
        )
        for a in articles
    ]


def pick_events(articles: Sequence[Mapping], n_articles: int, seed: int) -> list[Mapping]:
    """Whole events in a seeded order until at least ``n_articles`` (a researcher codes by event)."""
    events = sorted({a["event"] for a in articles})
    order = np.random.default_rng(seed).permutation(len(events))
    chosen: list[Mapping] = []
    for i in order:
        if len(chosen) >= n_articles:
            break
        chosen.extend(a for a in articles if a["event"] == events[i])
    return chosen


def figures(model, articles: Sequence[Mapping], gold: Mapping[str, Mapping]) -> dict:
    """``coded_scores`` of eval articles against their coders' labels (figures without a value left out)."""
    scored = coded_scores(model, coded_articles(articles, gold))
    return {k: scored[k] for k in SUMMARY if scored[k] is not None}


def eval_halves(eval_dir: Path) -> tuple[list[dict], list[dict], dict[str, dict]]:
    """Tune-half articles, test-half articles and the gold labels by id (the committed split)."""
    articles = read_jsonl(eval_dir / "articles.jsonl")
    gold_rows = read_jsonl(eval_dir / "labels.jsonl")
    split = load_split()
    tune = [a for a in articles if a["id"] in set(split["ids"]["tune"])]
    test = [a for a in articles if a["id"] in set(split["ids"]["test"])]
    return tune, test, {g["id"]: g for g in gold_rows}


def run(
    eval_dir: Path,
    cache_dir: Path,
    sizes: Sequence[int],
    weights: Sequence[int],
    choose: bool,
    seed: int,
    method: str = "article",
    refit_stance: bool = False,
) -> dict:
    codebook = load_codebook()
    base = load_or_train(codebook, cache_dir)
    corpus = load_corpus(codebook)
    tune, test, gold = eval_halves(eval_dir)
    if choose:  # inner split of the tune half by event: code one half, score the other
        events = sorted({a["event"] for a in tune})
        rng = np.random.default_rng(seed)
        coded_events = set(rng.permutation(events)[: len(events) // 2])
        pool = [a for a in tune if a["event"] in coded_events]
        scored = [a for a in tune if a["event"] not in coded_events]
    else:
        pool, scored = tune, test
    out: dict = {"base": {"version": base.version, **figures(base, scored, gold)}, "adapted": []}
    for n in sizes:
        sample = pick_events(pool, n, seed)
        for w in weights:
            coded = coded_articles(sample, gold)
            if method == "sentence":
                model = train(codebook, extend_corpus(corpus, base, codebook, coded, weight=w))
            else:
                model = adapt(base, codebook, corpus, coded, weight=w, refit_stance=refit_stance)
            row = {"method": method, "refit_stance": refit_stance, "n_coded": len(sample)}
            row["events"] = len({a["event"] for a in sample})
            row["weight"] = w
            out["adapted"].append({**row, **figures(model, scored, gold)})
            print(json.dumps(out["adapted"][-1]), flush=True)
    out["scored"] = {"n": len(scored), "events": len({a["event"] for a in scored})}
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    ap.add_argument("--cache-dir", type=Path, default=Path("instance/models"))
    ap.add_argument("--sizes", type=int, nargs="+", default=[20, 40, 200])
    ap.add_argument("--weights", type=int, nargs="+", default=[3])
    ap.add_argument("--choose", action="store_true", help="inner tune-half split for choosing the weight")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--method", choices=["article", "sentence"], default="article")
    ap.add_argument("--refit-stance", action="store_true", help="also re-fit the stance aggregator")
    args = ap.parse_args(argv)
    result = run(
        args.eval_dir,
        args.cache_dir,
        args.sizes,
        args.weights,
        args.choose,
        args.seed,
        args.method,
        args.refit_stance,
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
