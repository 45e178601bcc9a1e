"""Experiment: learned article-level frame decisions vs the hand-set article rule (issue 9).

usage: python bench/experiment_labels.py [--params JSON] [--tune]

Grouped cross-validation on our corpus (events never on both sides, nested for the article head)
and, with ``--tune``, the TUNE half of the fixed eval split only (``fixtures/eval-split.json``).
Out-of-fold sentence probabilities are cached under instance/experiments by corpus hash + params.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import joblib
import numpy as np
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifiers.article import counted_proba, flatten, prepare_article  # noqa: E402
from classifiers.article_head import ArticleFrameHead, article_evidence  # noqa: E402
from classifiers.codebook import load_codebook  # noqa: E402
from classifiers.corpus import load_corpus  # noqa: E402
from classifiers.cv import article_scores, choose_thresholds, cross_validate  # noqa: E402
from classifiers.eval_split import load_split, subsets  # noqa: E402
from classifiers.params import DEFAULT_PARAMS  # noqa: E402
from classifiers.scoring import EVAL_DIR, read_jsonl, score  # noqa: E402

CACHE = ROOT / "instance" / "experiments"


def oof(corpus, codebook, params):
    key = hashlib.sha256(json.dumps([corpus.hash, sorted(params.items())], default=str).encode()).hexdigest()[
        :12
    ]
    path = CACHE / f"oof-{key}.joblib"
    if path.is_file():
        return joblib.load(path)
    cv = cross_validate(corpus, codebook, params)
    cv.pop("encoder", None)
    CACHE.mkdir(parents=True, exist_ok=True)
    joblib.dump(cv, path)
    return cv


def corpus_evidence(corpus, cv):
    table = cv["table"]
    bounds = np.searchsorted(table.article, np.arange(len(corpus.articles) + 1))
    title = np.zeros(len(table.texts), bool)
    for i, a in enumerate(corpus.articles):
        if a.title:
            title[bounds[i]] = True
    return article_evidence(cv["frame"], bounds, table.lede, title), bounds


def f1(y, yh):
    tp, fp, fn = (y & yh).sum(), (~y & yh).sum(), (y & ~yh).sum()
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def dominant(frame_proba, present, bounds, pr=0.7):
    out = []
    for i in range(len(bounds) - 1):
        soft = counted_proba(frame_proba[bounds[i] : bounds[i + 1]], pr).sum(axis=0)
        out.append(int(np.argmax(np.where(present[i], soft, -1.0))) if present[i].any() else -1)
    return np.asarray(out)


def dominant_rows(X, p):
    """Rows (article x frame): evidence features plus the head's presence probability."""
    n, k, _ = X.shape
    return np.concatenate([X, p[:, :, None]], axis=2).reshape(n * k, -1)


def fit_dominant(X, p, gdom, C=1.0):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    keep = gdom >= 0
    R = dominant_rows(X[keep], p[keep])
    y = (np.arange(X.shape[1])[None, :] == gdom[keep][:, None]).ravel().astype(int)
    return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000)).fit(R, y)


def predict_dominant(model, X, p, present):
    s = model.predict_proba(dominant_rows(X, p))[:, 1].reshape(p.shape)
    s = np.where(present, s, -1.0)
    return np.where(present.any(axis=1), np.argmax(s, axis=1), -1)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--params", default="{}")
    ap.add_argument("--tune", action="store_true")
    ap.add_argument("--C", type=float, nargs="*", default=[0.1, 0.3, 1.0, 3.0])
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    codebook = load_codebook()
    corpus = load_corpus(codebook)
    params = {**DEFAULT_PARAMS, **json.loads(args.params)}
    cv = oof(corpus, codebook, params)
    keys = codebook.frame_keys
    gold = np.asarray([[k in a.frames for k in keys] for a in corpus.articles], int)
    gdom = np.asarray([keys.index(a.dominant) if a.dominant else -2 for a in corpus.articles])
    events = np.asarray([a.event for a in corpus.articles])
    X, bounds = corpus_evidence(corpus, cv)
    print(f"corpus {len(corpus.articles)} articles; oof ready {time.perf_counter() - t0:.0f}s")
    # hand-set rule (thresholds picked on the same out-of-fold scores: optimistic)
    sc = article_scores(corpus, cv["table"], cv["frame"], params["primary_ratio"])
    thr = choose_thresholds(sc, gold)
    pres = sc >= thr
    rule_f1 = [f1(gold[:, j] == 1, pres[:, j]) for j in range(len(keys))]
    dom = dominant(cv["frame"], pres, bounds)
    print(
        f"rule:  CV frame macro-F1 {np.mean(rule_f1):.3f} "
        f"dominant {np.mean(dom[gdom >= 0] == gdom[gdom >= 0]):.3f}"
    )
    print("  per frame", " ".join(f"{v:.2f}" for v in rule_f1))
    for C in args.C:
        p = np.zeros(gold.shape)
        for tr, te in GroupKFold(n_splits=5).split(X, groups=events):
            p[te] = ArticleFrameHead(C=C).fit(X[tr], gold[tr]).predict_proba(X[te])
        pres = p >= 0.5
        f = [f1(gold[:, j] == 1, pres[:, j]) for j in range(len(keys))]
        dom = dominant(cv["frame"], pres, bounds)
        ldom = np.zeros(len(gdom), int)
        for tr, te in GroupKFold(n_splits=5).split(X, groups=events):
            ldom[te] = predict_dominant(fit_dominant(X[tr], p[tr], gdom[tr]), X[te], p[te], pres[te])
        print(f"  learned dominant CV {np.mean(ldom[gdom >= 0] == gdom[gdom >= 0]):.3f}")
        brier = np.mean((p - gold) ** 2, axis=0)
        print(
            f"head C={C}: CV frame macro-F1 {np.mean(f):.3f} dominant "
            f"{np.mean(dom[gdom >= 0] == gdom[gdom >= 0]):.3f} Brier {brier.mean():.3f}"
        )
        print("  per frame", " ".join(f"{v:.2f}" for v in f))
    if args.tune:
        p_oof = {}
        for C in args.C:
            p = np.zeros(gold.shape)
            for tr, te in GroupKFold(n_splits=5).split(X, groups=events):
                p[te] = ArticleFrameHead(C=C).fit(X[tr], gold[tr]).predict_proba(X[te])
            p_oof[C] = p
        tune_report(codebook, corpus, params, X, gold, args.C, p_oof, gdom)


def tune_report(codebook, corpus, params, X, gold, Cs, p_oof, gdom):
    from classifiers.cache import load_or_train

    model = load_or_train(codebook, ROOT / "instance" / "models", params=params)
    articles = read_jsonl(EVAL_DIR / "articles.jsonl")
    labels = read_jsonl(EVAL_DIR / "labels.jsonl")
    subs = subsets(load_split(), articles)
    arts = [a for a in articles if a["id"] in subs["tune"]]
    prepared = [prepare_article(a.get("title") or "", a.get("text") or "") for a in arts]
    texts, bounds = flatten(prepared)
    frame, _, _ = model.sentence_probabilities(texts)
    lede = np.concatenate([p.lede for p in prepared])
    title = np.concatenate([[s[2] == "title" for s in p.spans] for p in prepared]).astype(bool)
    Xe = article_evidence(frame, bounds, lede, title)
    keys = codebook.frame_keys
    base = model.classify_many([(a.get("title") or "", a.get("text") or "", None) for a in arts])
    variants = {"rule (served)": [(r.present_frames, r.dominant_frame) for r in base]}
    for C in Cs:
        p = ArticleFrameHead(C=C).fit(X, gold).predict_proba(Xe)
        pres = p >= 0.5
        dom = dominant(frame, pres, bounds)
        variants[f"head C={C}"] = [
            ([k for k, v in zip(keys, pres[i], strict=True) if v], keys[dom[i]] if dom[i] >= 0 else None)
            for i in range(len(arts))
        ]
        ld = predict_dominant(fit_dominant(X, p_oof[C], gdom), Xe, p, pres)
        variants[f"head+ldom C={C}"] = [
            ([k for k, v in zip(keys, pres[i], strict=True) if v], keys[ld[i]] if ld[i] >= 0 else None)
            for i in range(len(arts))
        ]
    for name, v in variants.items():
        preds = [
            {"id": a["id"], "frames": fr, "dominant": d, "stance": None}
            for a, (fr, d) in zip(arts, v, strict=True)
        ]
        for sub in ("tune", "tune-other", "tune-ru-ua"):
            g = [x for x in labels if x["id"] in subs[sub]]
            s = score([x for x in preds if x["id"] in subs[sub]], g, keys)
            per = " ".join(f"{r['f1']:.2f}" for r in s["frames"])
            print(
                f"{name:14s} {sub:10s} frame {s['frame_macro_f1']:.3f} "
                f"dom {s['dominant_accuracy']:.3f} | {per}"
            )


if __name__ == "__main__":
    main()
