"""Experiment (issue 9, round 7): a larger, pre-registered yardstick for the excerpt-augmented head.

usage: python bench/experiment_round7.py [--bootstrap 1000] [--cache-dir DIR]
       python bench/experiment_round7.py --test A|B   # once, for the adopted candidate only

Protocol, fixed and committed before measuring (docs/model-card.md "Round 7",
``classifiers/model_card_round7.py``). Round 6 tested candidate A below and failed its criterion
(b) narrowly (+0.008, interval -0.001 to +0.018); this is a second, larger test of the same
hypothesis, so the gain intervals are Bonferroni-adjusted for the two candidates.

- Candidates: A (primary) = served + ``article_head_excerpts: 4, article_head_excerpt_keep: 0.5``;
  B = served + ``article_head_excerpts: 4, article_head_excerpt_keep: 0.3``.
- (a) grouped CV on whole corpus articles: frame macro-F1 not lower by more than 0.005; stance and
  dominant not worse beyond noise (95 % paired-bootstrap interval over articles not entirely
  below zero).
- (b) yardstick: 10 held-out excerpts of every corpus article, 5 at keep 0.5 (seed 7005) and 5 at
  keep 0.3 (seed 7003), pooled (seeds disjoint from training, 0, and from round 6's 1, 10-14,
  101); event-grouped folds, training excerpts join a fold only with their article; frame
  macro-F1 gain with its 97.5 % interval (paired bootstrap over corpus articles) above zero.
- (c) tune half of ../shared/eval: frame macro-F1 gain with its 97.5 % interval above zero;
  stance and dominant not worse beyond noise (95 % interval not entirely below zero).
- Winner: meets (a), (b) and (c); if both do, A (named primary in advance). Neither: nothing
  adopted, the test half stays unread. 1,000 paired resamples, seed 0.
- ``--test NAME``: the test half (test, test-other, test-ru-ua), read once for the adopted
  candidate: model, served and keyword dictionary, paired bootstrap against the served model; a
  loss whose 95 % interval is entirely below zero on a headline figure means not adopted.

Helpers (bootstraps, dominant hits, eval scoring) are round 6's, imported from
``experiment_round6``.

Results (2026-12-08, load average 2.6-3.7, 77 CPU-s; docs/model-card.md "Round 7"): (a) met by
both (CV frame A +0.0008, B -0.0043); (b) yardstick 0.7362 -> A 0.7519, +0.0158 (97.5 % +0.0085,
+0.0233), B 0.7581, +0.0220 (+0.0137, +0.0311): met by both; (c) tune frame A +0.029 (97.5 %
-0.003, +0.069), B +0.014 (-0.027, +0.055): met by neither. Nothing adopted; the test half was
not read.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from experiment_round6 import (  # noqa: E402
    FIGURES,
    dominant_hits,
    grouped_diffs,
    macro_f1,
    paired_eval_diffs,
)

from classifiers.article_head import ArticleFrameHead, corpus_evidence, corpus_excerpts  # noqa: E402
from classifiers.cache import load_or_train  # noqa: E402
from classifiers.codebook import load_codebook  # noqa: E402
from classifiers.corpus import load_corpus  # noqa: E402
from classifiers.cv import article_head_oof, cross_validate, cv_metrics, head_excerpts  # noqa: E402
from classifiers.dev_eval import dictionary_predictions, model_predictions  # noqa: E402
from classifiers.eval_split import load_split, subsets  # noqa: E402
from classifiers.params import resolve_params  # noqa: E402
from classifiers.scoring import EVAL_DIR, read_jsonl, score  # noqa: E402

CANDIDATES = {
    "A": {"article_head_excerpts": 4, "article_head_excerpt_keep": 0.5},
    "B": {"article_head_excerpts": 4, "article_head_excerpt_keep": 0.3},
}
PRIMARY = "A"
#: (keep, seed, excerpts per article) of the held-out yardstick, pooled
YARDSTICK = ((0.5, 7005, 5), (0.3, 7003, 5))
GAIN_LEVEL = 1 - 0.05 / len(CANDIDATES)  # Bonferroni over the candidates: 0.975
FRAME_TOLERANCE = 0.005


def ci(diffs: list[float], level: float) -> tuple[float, float]:
    """Percentile interval of the bootstrap differences at ``level``."""
    a = (1 - level) / 2 * 100
    lo, hi = np.percentile(diffs, [a, 100 - a])
    return float(lo), float(hi)


def describe(d: float, diffs: list[float]) -> str:
    lo, hi = ci(diffs, 0.95)
    alo, ahi = ci(diffs, GAIN_LEVEL)
    return f"{d:+.4f} 95% ({lo:+.4f}, {hi:+.4f}) {GAIN_LEVEL:.1%} ({alo:+.4f}, {ahi:+.4f})"


def f1_gain(y: np.ndarray, pa: np.ndarray, pb: np.ndarray):
    """Statistic for ``grouped_diffs``: frame macro-F1 of ``pb`` minus that of ``pa`` on rows ``r``."""
    return lambda r: macro_f1(y[r], pb[r] >= 0.5) - macro_f1(y[r], pa[r] >= 0.5)


def mean_gain(a: np.ndarray, b: np.ndarray):
    """Statistic for ``grouped_diffs``: mean of ``b`` minus mean of ``a`` on rows ``r``."""
    return lambda r: b[r].mean() - a[r].mean()


def yardstick(table, n: int, frame: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The held-out excerpts: evidence, gold frames, owning article and keep of each row."""
    parts = [
        corpus_excerpts(table, n, frame, n_per=n_per, keep=keep, random_state=seed)
        for keep, seed, n_per in YARDSTICK
    ]
    keeps = np.concatenate([np.full(len(p[2]), k) for p, (k, _, _) in zip(parts, YARDSTICK, strict=True)])
    return (*(np.concatenate([p[i] for p in parts]) for i in range(3)), keeps)


def yardstick_proba(X, gold, events, C: float, ex, Xh, owner) -> np.ndarray:
    """Held-out excerpt probabilities: each fold's head (plus its own training excerpts) scores
    only the excerpts of the articles it held out."""
    out = np.zeros((len(Xh), gold.shape[1]))
    for tr, te in GroupKFold(n_splits=min(5, len(set(events)))).split(X, groups=events):
        Xf, yf = X[tr], gold[tr]
        if ex is not None:
            rows = np.isin(ex[2], tr)
            Xf, yf = np.concatenate([Xf, ex[0][rows]]), np.concatenate([yf, ex[1][rows]])
        held = np.isin(owner, te)
        out[held] = ArticleFrameHead(C=C).fit(Xf, yf).predict_proba(Xh[held])
    return out


def run_cv(corpus, codebook, base: dict, n_boot: int) -> dict[str, dict[str, bool]]:
    """Criteria (a) and (b) for every candidate; returns which criteria each one met."""
    cv = cross_validate(corpus, codebook, base)  # sentence folds: identical for every variant
    keys, table, n = codebook.frame_keys, cv["table"], len(corpus.articles)
    gold = np.asarray([[k in a.frames for k in keys] for a in corpus.articles], dtype=int)
    events = np.asarray([a.event for a in corpus.articles])
    X = corpus_evidence(table, n, cv["frame"])
    Xh, yh, owner, keeps = yardstick(table, n, cv["frame"])
    m0, _ = cv_metrics(corpus, codebook, {**cv, "params": base})
    print(
        f"served: CV frame {m0['article_frame_macro_f1']:.4f}  stance {m0['article_stance_macro_f1']:.4f}"
        f"  dominant {m0['dominant_accuracy']:.4f}"
    )
    sa = article_head_oof(X, gold, events, base["article_head_C"])
    pa = yardstick_proba(X, gold, events, base["article_head_C"], None, Xh, owner)
    ha = dominant_hits(corpus, cv, sa, keys)
    rows = [np.asarray([i]) for i in range(n)]
    groups = [np.flatnonzero(owner == i) for i in range(n)]
    print(f"(b) yardstick: {len(yh)} held-out excerpts; served frame macro-F1 {macro_f1(yh, pa >= 0.5):.4f}")
    met: dict[str, dict[str, bool]] = {}
    for name, extra in CANDIDATES.items():
        cand = resolve_params(extra)
        m, _ = cv_metrics(corpus, codebook, {**cv, "params": cand})
        ex = head_excerpts(table, n, cv["frame"], cand)
        sb = article_head_oof(X, gold, events, cand["article_head_C"], ex)
        fd, fdiffs = grouped_diffs(rows, f1_gain(gold, sa, sb), n_boot)
        hb = dominant_hits(corpus, cv, sb, keys)
        drows = [np.asarray([i]) for i in range(len(ha))]
        dd, ddiffs = grouped_diffs(drows, mean_gain(ha, hb), n_boot)
        pb = yardstick_proba(X, gold, events, cand["article_head_C"], ex, Xh, owner)
        yd, ydiffs = grouped_diffs(groups, f1_gain(yh, pa, pb), n_boot)
        stance_same = m["article_stance_macro_f1"] == m0["article_stance_macro_f1"]
        print(f"candidate {name} {extra}")
        print(
            f"  (a) CV frame {m['article_frame_macro_f1']:.4f} (diff {describe(fd, fdiffs)})\n"
            f"      stance {m['article_stance_macro_f1']:.4f} (unchanged: {stance_same})\n"
            f"      dominant {m['dominant_accuracy']:.4f} (diff {describe(dd, ddiffs)})"
        )
        print(f"  (b) yardstick frame {macro_f1(yh, pb >= 0.5):.4f} (diff {describe(yd, ydiffs)})")
        for keep, _, _ in YARDSTICK:  # for information, not a criterion
            k = keeps == keep
            fa, fb = macro_f1(yh[k], pa[k] >= 0.5), macro_f1(yh[k], pb[k] >= 0.5)
            print(f"      keep {keep}: {fa:.4f} -> {fb:.4f}")
        met[name] = {
            "a": fd >= -FRAME_TOLERANCE and stance_same and ci(ddiffs, 0.95)[1] >= 0,
            "b": ci(ydiffs, GAIN_LEVEL)[0] > 0,
        }
    return met


def eval_subsets(include_test: bool) -> tuple[list, list, dict, list[str]]:
    articles = read_jsonl(EVAL_DIR / "articles.jsonl")
    gold = read_jsonl(EVAL_DIR / "labels.jsonl")
    subs = subsets(load_split(), articles)
    names = [s for s in subs if s.startswith("test" if include_test else "tune")]
    return articles, gold, subs, names


def run_tune(codebook, base: dict, cache: Path, n_boot: int) -> dict[str, bool]:
    """Criterion (c) for every candidate: the tune half only."""
    articles, gold, subs, names = eval_subsets(include_test=False)
    keys = codebook.frame_keys
    served = load_or_train(codebook, ROOT / "instance" / "models", params=base)
    pa = model_predictions(served, articles)
    met = {}
    for name, extra in CANDIDATES.items():
        model = load_or_train(codebook, cache, params=resolve_params(extra))
        pb = model_predictions(model, articles)
        print(f"(c) candidate {name} {model.version} against served {served.version}")
        for s in names:
            g = [x for x in gold if x["id"] in subs[s]]
            sel = [[x for x in p if x["id"] in subs[s]] for p in (pa, pb)]
            sa, sb = (score(p, g, keys) for p in sel)
            res = paired_eval_diffs(sel[0], sel[1], g, keys, n_boot)
            print(f"  ({s}, n={len(g)})")
            for f in FIGURES:
                print(f"    {f} {sa[f]:.3f} -> {sb[f]:.3f}  diff {describe(*res[f])}")
            if s == "tune":
                met[name] = (
                    ci(res["frame_macro_f1"][1], GAIN_LEVEL)[0] > 0
                    and ci(res["stance_macro_f1"][1], 0.95)[1] >= 0
                    and ci(res["dominant_accuracy"][1], 0.95)[1] >= 0
                )
    return met


def run_test(codebook, base: dict, name: str, cache: Path, n_boot: int) -> None:
    """The test half, once, for the adopted candidate ``name``; the dictionary beside it."""
    articles, gold, subs, names = eval_subsets(include_test=True)
    keys = codebook.frame_keys
    served = load_or_train(codebook, ROOT / "instance" / "models", params=base)
    model = load_or_train(codebook, cache, params=resolve_params(CANDIDATES[name]))
    print(f"test half: candidate {name} {model.version} against served {served.version}")
    pa, pb = model_predictions(served, articles), model_predictions(model, articles)
    pd = dictionary_predictions(codebook, articles)
    for s in names:
        g = [x for x in gold if x["id"] in subs[s]]
        sel = [[x for x in p if x["id"] in subs[s]] for p in (pa, pb, pd)]
        sa, sb, sd = (score(p, g, keys) for p in sel)
        print(f"  ({s}, n={len(g)}) frame micro-F1 {sa['frame_micro_f1']:.3f} -> {sb['frame_micro_f1']:.3f}")
        res = paired_eval_diffs(sel[0], sel[1], g, keys, n_boot)
        for f in FIGURES:
            print(f"    {f} {sa[f]:.3f} -> {sb[f]:.3f} (dictionary {sd[f]:.3f})  diff {describe(*res[f])}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--test", choices=sorted(CANDIDATES), help="score the test half for this one (once)")
    ap.add_argument("--bootstrap", type=int, default=1000, help="paired resamples (seeded)")
    ap.add_argument("--cache-dir", type=Path, default=None, help="where the candidate models are cached")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    codebook = load_codebook()
    base = resolve_params(None)
    cache = args.cache_dir or Path(tempfile.mkdtemp(prefix="round7-"))
    t0 = time.process_time()
    if args.test:
        run_test(codebook, base, args.test, cache, args.bootstrap)
    else:
        met = run_cv(load_corpus(codebook), codebook, base, args.bootstrap)
        for name, ok in run_tune(codebook, base, cache, args.bootstrap).items():
            met[name]["c"] = ok
        winners = [n for n, m in met.items() if all(m.values())]
        print("criteria met:", met)
        choice = PRIMARY if PRIMARY in winners else (winners[0] if winners else None)
        print(f"decision: {'adopt ' + choice if choice else 'nothing adopted; the test half stays unread'}")
    print(f"CPU seconds (this process): {time.process_time() - t0:.0f}")


if __name__ == "__main__":
    main()
