"""Experiment (issue 9, round 6): the article head fitted on corpus articles plus excerpts of them.

usage: python bench/experiment_round6.py [--test] [--bootstrap 1000] [--cache-dir DIR]

The protocol was fixed before measuring (docs/model-card.md "Round 6"): the candidate is the
served parameters with ``article_head_excerpts: 4, article_head_excerpt_keep: 0.5`` (seed from
``random_state``), the product code of ``classifiers.article_head.corpus_excerpts``. Reported:
(a) grouped CV on whole corpus articles (frame macro-F1, stance macro-F1, dominant accuracy)
with paired bootstraps over articles against the served parameters; (b) grouped CV on 2 held-out
excerpts of each corpus article (keep 0.5, seed ``random_state + 1``, so never a training
excerpt), paired bootstrap over corpus articles; (c) the tune half of ``../shared/eval`` with
paired bootstraps over its articles. ``--test`` adds the test half (once, for the final
candidate) with the keyword dictionary beside the model.

Results (2026-12-08, load average ~3-6; docs/model-card.md "Round 6"): (a) CV frame 0.8206 ->
0.8208, dominant -0.002 (-0.011, +0.004), stance unchanged; (b) held-out excerpts +0.008 (-0.001,
+0.018), interval not above zero; (c) tune frame +0.036 (+0.004, +0.072). Not adopted; the test
half was not read.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifiers.article_head import ArticleFrameHead, corpus_evidence, corpus_excerpts  # noqa: E402
from classifiers.cache import load_or_train  # noqa: E402
from classifiers.codebook import load_codebook  # noqa: E402
from classifiers.corpus import load_corpus  # noqa: E402
from classifiers.cv import article_head_oof, cross_validate, cv_metrics, head_excerpts  # noqa: E402
from classifiers.dev_eval import dictionary_predictions, model_predictions  # noqa: E402
from classifiers.eval_split import load_split, subsets  # noqa: E402
from classifiers.params import resolve_params  # noqa: E402
from classifiers.scoring import EVAL_DIR, read_jsonl, score  # noqa: E402

CANDIDATE = {"article_head_excerpts": 4, "article_head_excerpt_keep": 0.5}
FIGURES = ("frame_macro_f1", "stance_macro_f1", "dominant_accuracy")


def macro_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    y, p = gold.astype(bool), pred.astype(bool)
    tp, fp, fn = (y & p).sum(0), (~y & p).sum(0), (y & ~p).sum(0)
    return float(np.mean(2 * tp / np.maximum(2 * tp + fp + fn, 1)))


def interval(diffs: list[float], d: float) -> str:
    lo, hi = np.percentile(diffs, [2.5, 97.5])
    return f"{d:+.4f} ({lo:+.4f}, {hi:+.4f})"


def grouped_diffs(groups: list[np.ndarray], stat, n_boot: int, seed: int = 0) -> tuple[float, list[float]]:
    """``stat`` (a difference b - a) on all rows and on ``n_boot`` resamples of whole groups of rows."""
    rng = np.random.default_rng(seed)
    diffs = [
        stat(np.concatenate([groups[i] for i in rng.integers(0, len(groups), len(groups))]))
        for _ in range(n_boot)
    ]
    return stat(np.concatenate(groups)), diffs


def grouped_boot(groups: list[np.ndarray], stat, n_boot: int, seed: int = 0) -> str:
    """Paired bootstrap of ``stat(rows)`` (a difference b - a) resampling whole groups of rows."""
    d, diffs = grouped_diffs(groups, stat, n_boot, seed)
    return interval(diffs, d)


def dominant_hits(corpus, cv, scores, keys) -> np.ndarray:
    """Per corpus article with a gold dominant frame: 1 if the predicted dominant matches (as cv.py)."""
    table, hits = cv["table"], []
    for i, a in enumerate(corpus.articles):
        if not a.dominant:
            continue
        present = scores[i] >= 0.5
        soft = cv["frame"][table.article == i].sum(axis=0)
        hits.append(present.any() and a.dominant == keys[int(np.argmax(np.where(present, soft, -1.0)))])
    return np.asarray(hits, float)


def run_cv(corpus, codebook, base: dict, cand: dict, n_boot: int) -> None:
    cv = cross_validate(corpus, codebook, base)  # sentence folds: identical for both variants
    keys, table, n = codebook.frame_keys, cv["table"], len(corpus.articles)
    gold = np.asarray([[k in a.frames for k in keys] for a in corpus.articles], dtype=int)
    events = np.asarray([a.event for a in corpus.articles])
    X = corpus_evidence(table, n, cv["frame"])
    ex = head_excerpts(table, n, cv["frame"], cand)
    print(f"(a) grouped CV on {n} whole corpus articles, paired bootstrap over articles ({n_boot})")
    for name, p in (("served", base), ("candidate", cand)):
        m, _ = cv_metrics(corpus, codebook, {**cv, "params": p})
        print(
            f"  {name:9s} frame {m['article_frame_macro_f1']:.4f}  stance {m['article_stance_macro_f1']:.4f}"
            f"  dominant {m['dominant_accuracy']:.4f}  Brier {np.mean(list(m['article_brier'].values())):.4f}"
        )
    sa = article_head_oof(X, gold, events, base["article_head_C"])
    sb = article_head_oof(X, gold, events, cand["article_head_C"], ex)
    rows = [np.asarray([i]) for i in range(n)]
    print(
        "  frame diff",
        grouped_boot(
            rows, lambda r: macro_f1(gold[r], sb[r] >= 0.5) - macro_f1(gold[r], sa[r] >= 0.5), n_boot
        ),
    )
    ha, hb = dominant_hits(corpus, cv, sa, keys), dominant_hits(corpus, cv, sb, keys)
    drows = [np.asarray([i]) for i in range(len(ha))]
    print("  dominant diff", grouped_boot(drows, lambda r: hb[r].mean() - ha[r].mean(), n_boot))
    print("  stance: unchanged by construction (the aggregator does not read the frame head)")
    Xh, yh, owner = corpus_excerpts(
        table, n, cv["frame"], n_per=2, keep=0.5, random_state=base["random_state"] + 1
    )
    pa, pb = np.zeros(yh.shape), np.zeros(yh.shape)
    for tr, te in GroupKFold(n_splits=min(5, len(set(events)))).split(X, groups=events):
        held = np.isin(owner, te)
        pa[held] = ArticleFrameHead(C=base["article_head_C"]).fit(X[tr], gold[tr]).predict_proba(Xh[held])
        trx = np.isin(ex[2], tr)
        head = ArticleFrameHead(C=cand["article_head_C"]).fit(
            np.concatenate([X[tr], ex[0][trx]]), np.concatenate([gold[tr], ex[1][trx]])
        )
        pb[held] = head.predict_proba(Xh[held])
    groups = [np.flatnonzero(owner == i) for i in range(n)]
    print(
        f"(b) grouped CV on {len(yh)} held-out excerpts (2 per article, keep 0.5): served "
        f"{macro_f1(yh, pa >= 0.5):.4f}, candidate {macro_f1(yh, pb >= 0.5):.4f}; diff "
        + grouped_boot(
            groups, lambda r: macro_f1(yh[r], pb[r] >= 0.5) - macro_f1(yh[r], pa[r] >= 0.5), n_boot
        )
    )


def run_eval(codebook, base: dict, cand: dict, cache: Path, include_test: bool, n_boot: int) -> None:
    articles = read_jsonl(EVAL_DIR / "articles.jsonl")
    gold = read_jsonl(EVAL_DIR / "labels.jsonl")
    subs = subsets(load_split(), articles)
    names = [s for s in subs if include_test or s.startswith("tune")]
    keys = codebook.frame_keys
    served = load_or_train(codebook, ROOT / "instance" / "models", params=base)
    model = load_or_train(codebook, cache, params=cand)
    print(f"served {served.version}  candidate {model.version}")
    pa, pb = model_predictions(served, articles), model_predictions(model, articles)
    pd = dictionary_predictions(codebook, articles) if include_test else None
    for s in names:
        g = [x for x in gold if x["id"] in subs[s]]
        sel = [[x for x in p if x["id"] in subs[s]] for p in (pa, pb)]
        sa, sb = (score(p, g, keys) for p in sel)
        line = f"({s}, n={len(g)}) " + "  ".join(f"{f} {sa[f]:.3f} -> {sb[f]:.3f}" for f in FIGURES)
        if pd is not None:
            sd = score([x for x in pd if x["id"] in subs[s]], g, keys)
            line += "  | dictionary " + " ".join(f"{sd[f]:.3f}" for f in FIGURES)
        print(line)
        for f, (d, diffs) in paired_eval_diffs(sel[0], sel[1], g, keys, n_boot).items():
            print(f"    {f} diff {interval(diffs, d)}")


def paired_eval_diffs(pa: list, pb: list, g: list, keys, n_boot: int, seed: int = 0) -> dict:
    """Per headline figure: (b - a on ``g``, b - a on ``n_boot`` resamples of ``g``'s articles)."""
    rng = np.random.default_rng(seed)
    draws = [[g[i] for i in rng.integers(0, len(g), len(g))] for _ in range(n_boot)]
    sa, sb = score(pa, g, keys), score(pb, g, keys)
    return {
        f: (sb[f] - sa[f], [score(pb, d, keys)[f] - score(pa, d, keys)[f] for d in draws]) for f in FIGURES
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--test", action="store_true", help="also score the test half (once)")
    ap.add_argument("--bootstrap", type=int, default=1000, help="paired resamples (seeded)")
    ap.add_argument("--cache-dir", type=Path, default=None, help="where the candidate model is cached")
    ap.add_argument("--skip-cv", action="store_true", help="only the eval-set figures")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    codebook = load_codebook()
    base, cand = resolve_params(None), resolve_params(CANDIDATE)
    if not args.skip_cv:
        run_cv(load_corpus(codebook), codebook, base, cand, args.bootstrap)
    cache = args.cache_dir or Path(tempfile.mkdtemp(prefix="round6-"))
    run_eval(codebook, base, cand, cache, args.test, args.bootstrap)


if __name__ == "__main__":
    main()
