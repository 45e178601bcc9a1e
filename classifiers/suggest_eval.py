"""Simulation: does coding the suggested articles help more than coding random ones?

usage: python -m classifiers.suggest_eval [--budgets 20 40] [--random-draws 5]

The pool is the *tune* half of ``../shared/eval`` (its coders' labels play the researcher's codes);
for each budget, the articles ``classifiers.suggest`` picks and several seeded random picks are
"coded" (their labels revealed), the base model is adapted with them (``classifiers.adaptation``),
and every adapted model is scored on the *test* half, whose events none of the pool shares.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from classifiers.adaptation import adapt
from classifiers.adaptation_eval import coded_articles, eval_halves, figures
from classifiers.cache import load_or_train
from classifiers.codebook import STANCE_LABELS, load_codebook
from classifiers.corpus import load_corpus
from classifiers.scoring import EVAL_DIR
from classifiers.suggest import suggest, uncertainty


def run(eval_dir: Path, cache_dir: Path, budgets: list[int], draws: int, weight: int) -> dict:
    codebook = load_codebook()
    base = load_or_train(codebook, cache_dir)
    corpus = load_corpus(codebook)
    pool, scored, gold = eval_halves(eval_dir)
    results = base.classify_many([(a.get("title", ""), a.get("text", ""), None) for a in pool])
    frame = np.array([[f.score for f in r.frames] for r in results])
    stance = np.array([[r.stance.scores.get(k, 0.0) for k in STANCE_LABELS] for r in results])
    unc = uncertainty(frame, stance)
    texts = [a.get("text", "")[:2000] for a in pool]
    out: dict = {"base": figures(base, scored, gold), "budgets": []}
    for n in budgets:
        picked = [pool[i] for i, _ in suggest(texts, unc, n)]
        model = adapt(base, codebook, corpus, coded_articles(picked, gold), weight=weight)
        row = {"n": n, "suggested": figures(model, scored, gold), "random": []}
        for seed in range(draws):
            idx = np.random.default_rng(seed).permutation(len(pool))[:n]
            model = adapt(base, codebook, corpus, coded_articles([pool[i] for i in idx], gold), weight=weight)
            row["random"].append(figures(model, scored, gold))
        row["random_mean"] = {
            k: round(float(np.mean([r[k] for r in row["random"]])), 4) for k in row["suggested"]
        }
        out["budgets"].append(row)
        print(json.dumps({k: row[k] for k in ("n", "suggested", "random_mean")}), flush=True)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    ap.add_argument("--cache-dir", type=Path, default=Path("instance/models"))
    ap.add_argument("--budgets", type=int, nargs="+", default=[20, 40])
    ap.add_argument("--random-draws", type=int, default=5)
    ap.add_argument("--weight", type=int, default=3)
    args = ap.parse_args(argv)
    print(
        json.dumps(run(args.eval_dir, args.cache_dir, args.budgets, args.random_draws, args.weight), indent=2)
    )


if __name__ == "__main__":
    main()
