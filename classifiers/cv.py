"""Grouped cross-validation on our corpus: out-of-fold sentence scores, thresholds, metrics.

Folds are grouped by event, so no event is in both the training and the test part; the
article thresholds and the stance aggregator are chosen on these out-of-fold scores only.
Each fold is fitted by classifiers.training and scored by classifiers.sentence_model, the
same code that trains and serves the model (neither imports this module).
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import GroupKFold

from classifiers.article import article_frame_scores
from classifiers.article_head import ArticleFrameHead, corpus_evidence, corpus_excerpts
from classifiers.codebook import STANCE_LABELS, Codebook
from classifiers.corpus import Corpus
from classifiers.environment import training_threads
from classifiers.features import lexicons_from_codebook
from classifiers.models import make_stance_aggregator
from classifiers.params import resolve_params
from classifiers.scoring import f1_from_counts
from classifiers.training import (
    SentenceTable,
    fit_sentence_model,
    make_encoder,
    sentence_table,
    stance_article_data,
)

THRESHOLD_GRID = np.round(np.arange(0.2, 0.91, 0.025), 3)


def cross_validate(corpus: Corpus, codebook: Codebook, params: dict | None = None) -> dict:
    """Out-of-fold sentence probabilities, grouped by event so no event is in train and test."""
    params = resolve_params(params)
    table = sentence_table(corpus, codebook)
    lex = lexicons_from_codebook(codebook)
    events = np.asarray([corpus.articles[i].event for i in table.article])
    n_folds = min(params["n_folds"], len(set(events)))
    frame_oof = np.zeros(table.frames.shape)
    stance_oof = np.zeros((len(table.texts), 3))
    alias = np.zeros(len(table.texts))
    enc = make_encoder(params)
    for train, test in GroupKFold(n_splits=n_folds).split(table.texts, groups=events):
        fold = fit_sentence_model(
            [table.texts[i] for i in train], table.frames[train], table.stance[train], lex, params, enc
        )
        scores = fold.scores([table.texts[i] for i in test], params["attribution_discount"])
        frame_oof[test] = scores.frame
        stance_oof[test] = scores.stance
        alias[test] = scores.alias
    return {
        "table": table,
        "frame": frame_oof,
        "stance": stance_oof,
        "alias": alias,
        "params": params,
        "encoder": enc,
    }


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": p, "recall": r, "f1": f1_from_counts(tp, fp, fn), "support": tp + fn}


def _prf_of(y: np.ndarray, yh: np.ndarray) -> dict:
    """P/R/F1 of the boolean predictions ``yh`` against the boolean truth ``y``."""
    return _prf(int((y & yh).sum()), int((~y & yh).sum()), int((y & ~yh).sum()))


def article_scores(
    corpus: Corpus, table: SentenceTable, frame_proba: np.ndarray, primary_ratio: float = 0.0
) -> np.ndarray:
    """Article score per frame from sentence probabilities (rule in classifiers.article)."""
    out = np.zeros((len(corpus.articles), frame_proba.shape[1]))
    for i in range(len(corpus.articles)):
        m = table.article == i
        out[i] = article_frame_scores(frame_proba[m], table.lede[m], primary_ratio)
    return out


def choose_thresholds(scores: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """Per frame, the grid threshold with the best article-level F1 (ties: the middle one)."""
    best = []
    for j in range(gold.shape[1]):
        f1s = [
            _prf(
                int(((scores[:, j] >= t) & (gold[:, j] == 1)).sum()),
                int(((scores[:, j] >= t) & (gold[:, j] == 0)).sum()),
                int(((scores[:, j] < t) & (gold[:, j] == 1)).sum()),
            )["f1"]
            for t in THRESHOLD_GRID
        ]
        top = np.flatnonzero(np.isclose(f1s, max(f1s)))
        best.append(float(THRESHOLD_GRID[top[len(top) // 2]]))
    return np.asarray(best)


def stance_article_oof(X: np.ndarray, labels: np.ndarray, events: np.ndarray, class_weight) -> np.ndarray:
    """Out-of-fold article stance predictions, folds grouped by event (an event is never on both sides)."""
    pred = np.empty(len(labels), dtype=object)
    for tr, te in GroupKFold(n_splits=min(5, len(set(events)))).split(X, groups=events):
        with training_threads():  # a fixed BLAS thread count, as in training
            model = make_stance_aggregator(0, class_weight).fit(X[tr], labels[tr].astype(str))
        pred[te] = model.predict(X[te])
    return pred


def article_head_oof(
    X: np.ndarray, gold: np.ndarray, events: np.ndarray, C: float, excerpts: tuple | None = None
) -> np.ndarray:
    """Out-of-fold article frame probabilities of the learned head, folds grouped by event.

    ``excerpts`` (evidence, gold, owner) from ``head_excerpts`` join each fold's training part
    when their owning article is in it: an excerpt of a held-out article never trains its fold.
    """
    proba = np.zeros(gold.shape)
    for tr, te in GroupKFold(n_splits=min(5, len(set(events)))).split(X, groups=events):
        Xf, yf = X[tr], gold[tr]
        if excerpts is not None:
            rows = np.isin(excerpts[2], tr)
            Xf, yf = np.concatenate([Xf, excerpts[0][rows]]), np.concatenate([yf, excerpts[1][rows]])
        proba[te] = ArticleFrameHead(C=C).fit(Xf, yf).predict_proba(X[te])
    return proba


def head_excerpts(
    table: SentenceTable, n_articles: int, frame_proba: np.ndarray, params: dict
) -> tuple | None:
    """The excerpts ``params`` asks the article head to train on (``article_head_excerpts``; None: none)."""
    n_per = params.get("article_head_excerpts") or 0
    if not n_per:
        return None
    return corpus_excerpts(
        table,
        n_articles,
        frame_proba,
        n_per=n_per,
        keep=params["article_head_excerpt_keep"],
        random_state=params["random_state"],
    )


def _dominant_accuracy(corpus, table, cv, scores, thresholds, keys) -> float:
    """Share of corpus articles with a gold dominant frame whose predicted dominant matches."""
    hits, n = 0, 0
    for i, a in enumerate(corpus.articles):
        if not a.dominant:
            continue
        n += 1
        present = scores[i] >= thresholds
        if present.any():
            soft = cv["frame"][table.article == i].sum(axis=0)  # as classifiers.article.build_result
            hits += a.dominant == keys[int(np.argmax(np.where(present, soft, -1.0)))]
    return hits / max(n, 1)


def cv_metrics(corpus: Corpus, codebook: Codebook, cv: dict) -> tuple[dict, np.ndarray]:
    """Per-frame sentence and article P/R/F1 and article stance F1 from out-of-fold predictions."""
    table, keys = cv["table"], codebook.frame_keys
    gold_art = np.asarray([[k in a.frames for k in keys] for a in corpus.articles], dtype=int)
    C = cv["params"].get("article_head_C")
    if C:  # learned article decision: nested out-of-fold probabilities, present at 0.5
        events = np.asarray([a.event for a in corpus.articles])
        X_art = corpus_evidence(table, len(corpus.articles), cv["frame"])
        ex = head_excerpts(table, len(corpus.articles), cv["frame"], cv["params"])
        scores = article_head_oof(X_art, gold_art, events, C, ex)
        thresholds = np.full(len(keys), 0.5)
    else:
        scores = article_scores(corpus, table, cv["frame"], cv["params"]["primary_ratio"])
        thresholds = choose_thresholds(scores, gold_art)
    metrics: dict = {
        "sentence": {},
        "article": {},
        "thresholds": dict(zip(keys, thresholds.tolist(), strict=True)),
    }
    for j, k in enumerate(keys):
        metrics["sentence"][k] = _prf_of(table.frames[:, j] == 1, cv["frame"][:, j] >= 0.5)
        metrics["article"][k] = _prf_of(gold_art[:, j] == 1, scores[:, j] >= thresholds[j])
    used = [metrics["article"][k]["f1"] for k in keys if metrics["article"][k]["support"] >= 3]
    metrics["article_frame_macro_f1"] = float(np.mean(used)) if used else 0.0
    metrics["article_brier"] = dict(
        zip(keys, np.mean((scores - gold_art) ** 2, axis=0).tolist(), strict=True)
    )
    metrics["dominant_accuracy"] = _dominant_accuracy(corpus, table, cv, scores, thresholds, keys)
    X, labels = stance_article_data(corpus, table, cv["stance"], cv["alias"])
    has = np.asarray([lbl is not None for lbl in labels])
    events = np.asarray([a.event for a in corpus.articles])[has]
    y = labels[has]
    pred = stance_article_oof(X[has], y, events, cv["params"]["stance_class_weight"])
    per = {c: _prf_of(y == c, pred == c) for c in STANCE_LABELS}
    metrics["article_stance"] = per
    metrics["article_stance_macro_f1"] = float(np.mean([per[c]["f1"] for c in STANCE_LABELS]))
    s = table.stance != None  # noqa: E711 (elementwise on an object array)
    ys, ps = table.stance[s], np.asarray(STANCE_LABELS)[np.argmax(cv["stance"][s], axis=1)]
    metrics["sentence_stance"] = {c: _prf_of(ys == c, ps == c) for c in STANCE_LABELS}
    return metrics, thresholds
