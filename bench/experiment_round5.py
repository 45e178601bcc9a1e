"""Experiment (issue 9, round 5): clause and focus representations, article-head evidence, dominant frame.

usage: python bench/experiment_round5.py heads|dominant|clause|excerpts [--bootstrap 1000]

Every figure is on our corpus by grouped cross-validation (folds by event, nested for the
article head) and on the tune half of ``../shared/eval``; the test half is not read (no candidate
passed the bar, see docs/model-card.md "Round 5"). Background clauses are found by regular
expressions (``focus_round5``: leading "After/Amid/As/Despite ...," and trailing "amid ...",
", which ..." clauses; no parser).

``heads``: article-head variants over the served sentence model's out-of-fold probabilities:
focus evidence per frame (main-clause probabilities, i.e. the sentence rescored without its
background clauses; position in the article; sentences where the frame is the top one;
attributed mass; neighbouring-sentence runs; focus-weighted counts), paired bootstrap over
tune articles against the served evidence. ``dominant``: choices of the dominant frame over the
served head's present frames (summed probability, main-clause sums, headline/lede weights, a
learned "is dominant" regression), paired bootstraps over corpus and tune articles.
``clause``: the sentence head refitted on clause-tagged features (background clause as its own
block or down-weighted), with the served article evidence on top. ``excerpts``: the served
article head fitted on the corpus articles plus random excerpts of them (``excerpts``).

Results (2026-12-08, load average ~10-13 on the shared 2-core machine; docs/model-card.md
"Round 5"): focus evidence raises CV (all 14 features 0.821 -> 0.832) but not the tune half
(0.689 -> 0.674); main-clause evidence raises the tune half (+0.015, 95 % -0.003 to +0.042) but
not CV (0.821 -> 0.821, Brier worse); clause-tagged sentence features lower CV (0.814-0.816);
headline/lede counted twice for the dominant frame: tune +0.046 (+0.000 to +0.101), CV +0.004
(-0.015 to +0.023). ``excerpts`` (article head also fitted on random excerpts of the training
articles): whole-article CV flat (0.819-0.821), CV on held-out excerpts 0.758 -> 0.763-0.771,
tune +0.022 to +0.036 (q 0.7: +0.004 to +0.066). Nothing adopted; the test half was not read.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from focus_round5 import FOCUS_NAMES  # noqa: E402
from study_round5 import (  # noqa: E402
    TUNE_SUBSETS,
    Side,
    Study,
    bootstrap,
    choose,
    clause_fit,
    head_oof,
    load_study,
    macro_f1,
    paired_hits,
    predictions,
    served_fit,
    sides,
    tune_scores,
)

from classifiers.article_head import ArticleFrameHead, article_evidence  # noqa: E402
from classifiers.codebook import load_codebook  # noqa: E402
from classifiers.scoring import score  # noqa: E402
from classifiers.training import sentence_table  # noqa: E402


def _with(names: tuple[str, ...]) -> Callable[[dict], np.ndarray]:
    cols = [FOCUS_NAMES.index(n) for n in names]
    return lambda e: np.concatenate([e["served"], e["focus"][:, :, cols]], axis=2)


VARIANTS: dict[str, Callable[[dict], np.ndarray]] = {
    "served evidence": lambda e: e["served"],
    "+ all focus evidence (14)": lambda e: np.concatenate([e["served"], e["focus"]], axis=2),
    "+ main clause (second, n >= 0.5, loss)": _with(("main_second", "main_n_over_0.5", "background_loss")),
    "+ position (early, late, title-lede, thirds)": _with(
        ("early_mass", "late_mass", "title_lede_agree", "n_thirds_top")
    ),
    "+ top frame, attributed, mass to top": _with(("n_top", "attributed_mass", "mass_to_top")),
    "+ adjacent sentences (max, n)": _with(("adjacent_max", "n_adjacent")),
    "+ focus-weighted (second, share)": _with(("weighted_second", "weighted_share")),
    "+ main clause + position": _with(
        ("main_second", "main_n_over_0.5", "background_loss", "early_mass", "late_mass", "title_lede_agree")
        + ("n_thirds_top",)
    ),
    "main-clause evidence instead": lambda e: e["main"],
    "served + main-clause evidence": lambda e: np.concatenate([e["served"], e["main"]], axis=2),
}


def run_heads(st: Study, n_boot: int) -> None:
    corpus, tune = sides(st, served_fit)
    ev_c, ev_t = corpus.evidence(), tune.evidence()

    def summed(i: int) -> np.ndarray:  # the served dominant rule
        return tune.out["frame"][tune.rows(i)].sum(0)

    print("variant | CV frame, Brier | tune, tune-other, tune-ru-ua frame | bootstrap vs served evidence")
    base = None
    for name, make in VARIANTS.items():
        Xc, Xt = make(ev_c), make(ev_t)
        oof = head_oof(st, Xc)
        present = ArticleFrameHead(C=1.0).fit(Xc, st.gold).predict_proba(Xt) >= 0.5
        preds = predictions(st, present, summed)
        base = base or preds
        sc = tune_scores(st, preds)
        print(
            f"{name:46s} | {macro_f1(st.gold, oof >= 0.5):.4f}, {float(np.mean((oof - st.gold) ** 2)):.4f} | "
            + ", ".join(f"{sc[s]['frame_macro_f1']:.3f}" for s in TUNE_SUBSETS)
            + ("" if preds is base else f" | {bootstrap(st, base, preds, n_boot)}")
        )
    check = score(st.served_preds, [g for g in st.labels if g["id"] in st.subs["tune"]], st.keys)
    print(f"(served model as shipped: tune frame {check['frame_macro_f1']:.3f})")


def dominant_features(side: Side, ev: dict) -> np.ndarray:
    """Served and focus evidence plus the frame's summed, main-clause and lede-weighted mass (/ top)."""
    n, k = len(side.bounds) - 1, side.out["frame"].shape[1]
    extra = np.zeros((n, k, 3))
    for i in range(n):
        s = side.rows(i)
        p, m, led = side.out["frame"][s], side.out["main"][s], side.lede[s]
        for j, v in enumerate((p.sum(0), m.sum(0), p.sum(0) + p[led].sum(0))):
            extra[i, :, j] = v / max(v.max(), 1e-9)
    return np.concatenate([ev["served"], ev["focus"], extra], axis=2)


def fit_dominant(D: np.ndarray, present: np.ndarray, dom: np.ndarray, C: float) -> Callable:
    """'Is this the dominant frame' logistic regression over (article, gold-present frame) rows."""
    rows = [(i, j) for i in range(len(dom)) if dom[i] >= 0 for j in np.flatnonzero(present[i])]
    X = np.asarray([D[i, j] for i, j in rows])
    y = np.asarray([dom[i] == j for i, j in rows], int)
    mu, sd = X.mean(0), X.std(0) + 1e-6
    lr = LogisticRegression(C=C, max_iter=3000).fit((X - mu) / sd, y)
    return lambda Z: lr.decision_function((Z - mu) / sd)


def run_dominant(st: Study, n_boot: int) -> None:
    corpus, tune = sides(st, served_fit)
    ev_c, ev_t = corpus.evidence(), tune.evidence()
    present_c = head_oof(st, ev_c["served"]) >= 0.5
    present_t = ArticleFrameHead(C=1.0).fit(ev_c["served"], st.gold).predict_proba(ev_t["served"]) >= 0.5
    gold_t = {g["id"]: g.get("dominant") for g in st.labels}
    has_c = np.flatnonzero(st.dominant >= 0)

    def rule_keys(side: Side, rule: Callable) -> Callable[[int], np.ndarray]:
        return lambda i: rule(side.out, side.rows(i), side.lede[side.rows(i)])

    def hits(corpus_key: Callable, tune_key: Callable) -> tuple[np.ndarray, np.ndarray]:
        c = np.asarray([choose(corpus_key(i), present_c[i]) == st.dominant[i] for i in has_c], float)
        preds = predictions(st, present_t, tune_key)
        t = np.asarray([p["dominant"] == gold_t[p["id"]] for p in preds if gold_t[p["id"]]], float)
        return c, t

    rules: dict[str, Callable] = {
        "summed probability (served)": lambda o, s, led: o["frame"][s].sum(0),
        "summed main-clause probability": lambda o, s, led: o["main"][s].sum(0),
        "main-clause sum + 1x headline/lede": lambda o, s, led: (
            o["main"][s].sum(0) + o["main"][s][led].sum(0)
        ),
        "main-clause >= 0.5, attributed at half weight": lambda o, s, led: (
            o["main"][s] * (o["main"][s] >= 0.5) * np.where(o["attributed"][s], 0.5, 1.0)[:, None]
        ).sum(0),
    }
    for w in (0.5, 1.0, 1.5, 2.0, 3.0):
        rules[f"sum + {w}x headline/lede"] = lambda o, s, led, w=w: (
            o["frame"][s].sum(0) + w * o["frame"][s][led].sum(0)
        )
    base_c, base_t = hits(
        rule_keys(corpus, rules["summed probability (served)"]),
        rule_keys(tune, rules["summed probability (served)"]),
    )
    print(
        f"rule | CV dominant, paired vs served | tune dominant, paired vs served "
        f"({len(has_c)} / {len(base_t)} articles)"
    )

    def line(name, c, t):
        cv, tu = paired_hits(base_c, c, n_boot), paired_hits(base_t, t, n_boot)
        print(f"{name:48s} | {c.mean():.3f} {cv} | {t.mean():.3f} {tu}")

    for name, rule in rules.items():
        line(name, *hits(rule_keys(corpus, rule), rule_keys(tune, rule)))
    D_c, D_t = dominant_features(corpus, ev_c), dominant_features(tune, ev_t)
    for C in (0.1, 1.0):
        oof_keys: dict[int, np.ndarray] = {}
        for tr, te in st.folds:
            f = fit_dominant(D_c[tr], st.gold[tr], st.dominant[tr], C)
            oof_keys.update({i: f(D_c[i]) for i in te})
        f = fit_dominant(D_c, st.gold, st.dominant, C)
        c, t = hits(lambda i, k=oof_keys: k[i], lambda i, f=f: f(D_t[i]))
        line(f"learned is-dominant regression, C={C}", c, t)


def run_clause(st: Study, n_boot: int) -> None:
    print(
        "sentence representation | sentence F1 (CV) | article CV frame, Brier | tune frames "
        "| bootstrap vs served"
    )
    base = None
    for name, fit in [("served", served_fit)] + [
        (f"clause {m} w={w}", clause_fit(m, w))
        for m, w in (("block", 1.0), ("block", 0.5), ("down", 0.5), ("down", 0.0))
    ]:
        corpus, tune = sides(st, fit)
        table = sentence_table(st.corpus, load_codebook())
        sent_f1 = macro_f1(table.frames, corpus.out["frame"] >= 0.5)
        Xc = article_evidence(corpus.out["frame"], corpus.bounds, corpus.lede, corpus.title)
        Xt = article_evidence(tune.out["frame"], tune.bounds, tune.lede, tune.title)
        oof = head_oof(st, Xc)
        present = ArticleFrameHead(C=1.0).fit(Xc, st.gold).predict_proba(Xt) >= 0.5
        preds = predictions(st, present, lambda i, tune=tune: tune.out["frame"][tune.rows(i)].sum(0))
        base = base or preds
        sc = tune_scores(st, preds)
        print(
            f"{name:22s} | {sent_f1:.4f} | {macro_f1(st.gold, oof >= 0.5):.4f}, "
            f"{float(np.mean((oof - st.gold) ** 2)):.4f} | "
            + ", ".join(f"{sc[s]['frame_macro_f1']:.3f}" for s in TUNE_SUBSETS)
            + f", dominant {sc['tune']['dominant_accuracy']:.3f}"
            + ("" if preds is base else f" | {bootstrap(st, base, preds, n_boot)}")
        )


def excerpts(side: Side, frames: np.ndarray, articles, n_per: int, keep: float, seed: int = 0):
    """Served evidence and gold of random excerpts of corpus ``articles`` (headline and lede always kept).

    Real articles in the eval set are shorter excerpts than our corpus articles; each excerpt keeps
    every other sentence with probability ``keep`` (order preserved) and takes its gold frames from
    the sentence labels by the codebook rule (two sentences, or the headline/lede), which our
    corpus's article labels follow in 99.97 % of (article, frame) pairs.
    """
    rng = np.random.default_rng(seed)
    X, y, owner = [], [], []
    for i in articles:
        s = side.rows(i)
        p, f, led, tit = side.out["frame"][s], frames[s], side.lede[s], side.title[s]
        for _ in range(n_per):
            m = led | (rng.random(len(p)) < keep)
            body = ~tit[m]
            gold = (f[m][led[m]].any(axis=0)) | (f[m][body].sum(axis=0) >= 2)
            X.append(article_evidence(p[m], np.asarray([0, int(m.sum())]), led[m], tit[m])[0])
            y.append(gold.astype(int))
            owner.append(i)
    return np.asarray(X), np.asarray(y), np.asarray(owner)


def excerpt_bootstrap(held: tuple, pa: np.ndarray, pb: np.ndarray, n_boot: int, seed: int = 0) -> str:
    """Paired bootstrap over corpus articles (all excerpts of a drawn article) of macro-F1 (b - a)."""
    _, y, owner = held
    rng = np.random.default_rng(seed)
    by_owner = [np.flatnonzero(owner == i) for i in np.unique(owner)]
    d = macro_f1(y, pb >= 0.5) - macro_f1(y, pa >= 0.5)
    diffs = []
    for _ in range(n_boot):
        rows = np.concatenate([by_owner[i] for i in rng.integers(0, len(by_owner), len(by_owner))])
        diffs.append(macro_f1(y[rows], pb[rows] >= 0.5) - macro_f1(y[rows], pa[rows] >= 0.5))
    lo, hi = np.percentile(diffs, [2.5, 97.5])
    return f"{d:+.3f} [{lo:+.3f}, {hi:+.3f}]"


def run_excerpts(st: Study, n_boot: int) -> None:
    """Article head fitted on the corpus articles plus random excerpts of them (served evidence)."""
    corpus, tune = sides(st, served_fit)
    frames = sentence_table(st.corpus, load_codebook()).frames
    Xc = article_evidence(corpus.out["frame"], corpus.bounds, corpus.lede, corpus.title)
    Xt = article_evidence(tune.out["frame"], tune.bounds, tune.lede, tune.title)

    def summed(i: int) -> np.ndarray:
        return tune.out["frame"][tune.rows(i)].sum(0)

    print(
        "head training data | CV frame, Brier | CV on held-out excerpts (keep 0.5 / 0.7) "
        "| tune, tune-other, tune-ru-ua | bootstrap vs corpus only"
    )
    base = ex_base = None
    held = {q: excerpts(corpus, frames, np.arange(len(st.gold)), 2, q, seed=1) for q in (0.5, 0.7)}
    for n_per, keep in ((0, 1.0), (2, 0.5), (2, 0.7), (4, 0.5)):
        oof = np.zeros(st.gold.shape)
        ex_pred = {q: np.zeros(h[1].shape) for q, h in held.items()}
        for tr, te in st.folds:
            Xa, ya, _ = excerpts(corpus, frames, tr, n_per, keep)
            Xf = np.concatenate([Xc[tr], Xa]) if n_per else Xc[tr]
            yf = np.concatenate([st.gold[tr], ya]) if n_per else st.gold[tr]
            head = ArticleFrameHead(C=1.0).fit(Xf, yf)
            oof[te] = head.predict_proba(Xc[te])
            for q, (Xh, _, owner) in held.items():
                rows = np.isin(owner, te)  # excerpts of the held-out events only
                ex_pred[q][rows] = head.predict_proba(Xh[rows])
        ex_cv = " / ".join(f"{macro_f1(held[q][1], ex_pred[q] >= 0.5):.4f}" for q in held)
        ex_base = ex_base or ex_pred
        if ex_pred is not ex_base:  # paired bootstrap over held-out corpus articles (their excerpts)
            ex_cv += (
                " ("
                + ", ".join(excerpt_bootstrap(held[q], ex_base[q], ex_pred[q], n_boot) for q in held)
                + ")"
            )
        Xa, ya, _ = excerpts(corpus, frames, np.arange(len(st.gold)), n_per, keep)
        Xf = np.concatenate([Xc, Xa]) if n_per else Xc
        yf = np.concatenate([st.gold, ya]) if n_per else st.gold
        present = ArticleFrameHead(C=1.0).fit(Xf, yf).predict_proba(Xt) >= 0.5
        preds = predictions(st, present, summed)
        base = base or preds
        sc = tune_scores(st, preds)
        print(
            f"+ {n_per} excerpts/article, keep {keep:.1f} | {macro_f1(st.gold, oof >= 0.5):.4f}, "
            f"{float(np.mean((oof - st.gold) ** 2)):.4f} | {ex_cv} | "
            + ", ".join(f"{sc[s]['frame_macro_f1']:.3f}" for s in TUNE_SUBSETS)
            + ("" if preds is base else f" | {bootstrap(st, base, preds, n_boot)}")
        )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=["heads", "dominant", "clause", "excerpts"])
    ap.add_argument("--bootstrap", type=int, default=1000, help="paired resamples (seeded)")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    st = load_study()
    runs = {"heads": run_heads, "dominant": run_dominant, "clause": run_clause, "excerpts": run_excerpts}
    runs[args.what](st, args.bootstrap)


if __name__ == "__main__":
    main()
