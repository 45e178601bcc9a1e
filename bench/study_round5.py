"""Shared parts of the round-5 experiment (issue 9): corpus and tune-half sentence outputs, scoring.

``sides`` gives out-of-fold sentence outputs on our corpus (folds grouped by event, as
``classifiers.cv``) and the outputs of the same sentence model fitted on the whole corpus for the
tune half of ``../shared/eval``; the rest turns article-level decisions into the eval set's scores
and paired bootstraps (seeded). Used by ``bench/experiment_round5.py``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from focus_round5 import FOCUS_NAMES, ClauseModel, focus_features, sentence_outputs  # noqa: E402

from classifiers.article import flatten, prepare_article  # noqa: E402
from classifiers.article_head import ArticleFrameHead, article_evidence  # noqa: E402
from classifiers.cache import load_or_train  # noqa: E402
from classifiers.codebook import load_codebook  # noqa: E402
from classifiers.corpus import load_corpus  # noqa: E402
from classifiers.eval_split import load_split, subsets  # noqa: E402
from classifiers.features import lexicons_from_codebook  # noqa: E402
from classifiers.params import resolve_params  # noqa: E402
from classifiers.scoring import EVAL_DIR, read_jsonl, score  # noqa: E402
from classifiers.training import fit_sentence_model, sentence_table  # noqa: E402

SERVED = ROOT / "instance" / "models"
TUNE_SUBSETS = ("tune", "tune-other", "tune-ru-ua")


@dataclass
class Side:
    """Sentence outputs of one article set (corpus out of fold, or the tune half) and their layout."""

    out: dict[str, np.ndarray]
    bounds: np.ndarray
    lede: np.ndarray
    title: np.ndarray

    def rows(self, i: int) -> slice:
        return slice(self.bounds[i], self.bounds[i + 1])

    def evidence(self) -> dict[str, np.ndarray]:
        """Served evidence (14 per frame), focus evidence, and the served evidence of main-clause scores."""
        o = self.out
        focus = np.zeros((len(self.bounds) - 1, o["frame"].shape[1], len(FOCUS_NAMES)))
        for i in range(len(focus)):
            s = self.rows(i)
            focus[i] = focus_features(
                o["frame"][s], o["main"][s], o["attributed"][s], self.lede[s], self.title[s]
            )
        return {
            "served": article_evidence(o["frame"], self.bounds, self.lede, self.title),
            "focus": focus,
            "main": article_evidence(o["main"], self.bounds, self.lede, self.title),
        }


@dataclass
class Study:
    """The corpus (gold, events, folds), the tune half (articles, gold, served predictions), both sides."""

    keys: list[str]
    corpus: object
    gold: np.ndarray
    dominant: np.ndarray
    folds: list
    tune: list[dict]
    labels: list[dict]
    subs: dict[str, set[str]]
    served_preds: list[dict]
    prepared: list


def load_study() -> Study:
    codebook = load_codebook()
    keys = codebook.frame_keys
    corpus = load_corpus(codebook)
    gold = np.asarray([[f in a.frames for f in keys] for a in corpus.articles], dtype=int)
    dom = np.asarray([keys.index(a.dominant) if a.dominant else -1 for a in corpus.articles])
    events = np.asarray([a.event for a in corpus.articles])
    arts = read_jsonl(EVAL_DIR / "articles.jsonl")
    subs = subsets(load_split(), arts)
    tune = [a for a in arts if a["id"] in subs["tune"]]
    model = load_or_train(codebook, SERVED)
    res = model.classify_many([(a.get("title") or "", a.get("text") or "", None) for a in tune])
    served = [
        {"id": a["id"], "frames": r.present_frames, "dominant": r.dominant_frame, "stance": r.stance.label}
        for a, r in zip(tune, res, strict=True)
    ]
    return Study(
        keys,
        corpus,
        gold,
        dom,
        list(GroupKFold(n_splits=5).split(gold, groups=events)),
        tune,
        read_jsonl(EVAL_DIR / "labels.jsonl"),
        subs,
        served,
        [prepare_article(a.get("title") or "", a.get("text") or "") for a in tune],
    )


def sides(st: Study, fit: Callable) -> tuple[Side, Side]:
    """Corpus out-of-fold outputs (sentence folds grouped by event) and tune outputs of ``fit`` on all."""
    codebook = load_codebook()
    params = resolve_params(None)
    table = sentence_table(st.corpus, codebook)
    events = np.asarray([st.corpus.articles[i].event for i in table.article])
    k = table.frames.shape[1]
    out = {"frame": np.zeros((len(table.texts), k)), "main": np.zeros((len(table.texts), k))}
    out["attributed"] = np.zeros(len(table.texts), bool)
    for tr, te in GroupKFold(n_splits=params["n_folds"]).split(table.texts, groups=events):
        model = fit([table.texts[i] for i in tr], table.frames[tr], table.stance[tr], params)
        for name, v in model([table.texts[i] for i in te]).items():
            out[name][te] = v
    bounds = np.searchsorted(table.article, np.arange(len(st.corpus.articles) + 1))
    title = np.zeros(len(table.texts), bool)
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        title[a] = b - a >= 2 and bool(table.lede[a] and table.lede[a + 1])
    texts, tb = flatten(st.prepared)
    full = fit(table.texts, table.frames, table.stance, params)
    tune = Side(
        full(texts),
        tb,
        np.concatenate([p.lede for p in st.prepared]),
        np.concatenate([[f == "title" for _, _, f in p.spans] for p in st.prepared]).astype(bool),
    )
    return Side(out, bounds, table.lede, title), tune


def served_fit(texts, frames, stance, params):
    """The served sentence model (``fit_sentence_model``), returning its focus outputs."""
    sm = fit_sentence_model(texts, frames, stance, lexicons_from_codebook(load_codebook()), params)
    return lambda t: sentence_outputs(sm, t)


def clause_fit(mode: str, weight: float):
    def fit(texts, frames, stance, params):
        cm = ClauseModel(lexicons_from_codebook(load_codebook()), params, mode, weight).fit(texts, frames)
        return cm.outputs

    return fit


def choose(key: np.ndarray, present: np.ndarray) -> int | None:
    return int(np.argmax(np.where(present, key, -np.inf))) if present.any() else None


def macro_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    y, p = gold.astype(bool), pred.astype(bool)
    tp, fp, fn = (y & p).sum(0), (~y & p).sum(0), (y & ~p).sum(0)
    return float(np.mean(2 * tp / np.maximum(2 * tp + fp + fn, 1)))


def predictions(st: Study, present: np.ndarray, dom_key: Callable[[int], np.ndarray]) -> list[dict]:
    """Tune predictions in the eval set's format (stance: the served model's)."""
    out = []
    for i, (a, s) in enumerate(zip(st.tune, st.served_preds, strict=True)):
        j = choose(dom_key(i), present[i])
        frames = [f for f, q in zip(st.keys, present[i], strict=True) if q]
        out.append(
            {
                "id": a["id"],
                "frames": frames,
                "dominant": j if j is None else st.keys[j],
                "stance": s["stance"],
            }
        )
    return out


def tune_scores(st: Study, preds: list[dict]) -> dict[str, dict]:
    return {
        sub: score(
            [p for p in preds if p["id"] in st.subs[sub]],
            [g for g in st.labels if g["id"] in st.subs[sub]],
            st.keys,
        )
        for sub in TUNE_SUBSETS
    }


def bootstrap(st: Study, pa: list[dict], pb: list[dict], n_boot: int, seed: int = 0) -> str:
    """Paired bootstrap over tune articles of (b - a): frame macro-F1 and dominant accuracy, 95 %."""
    rng = np.random.default_rng(seed)
    gold = [g for g in st.labels if g["id"] in st.subs["tune"]]

    def fig(p, g):
        s = score(p, g, st.keys)
        return np.array([s["frame_macro_f1"], s["dominant_accuracy"]])

    d = fig(pb, gold) - fig(pa, gold)
    draws = ([gold[i] for i in rng.integers(0, len(gold), len(gold))] for _ in range(n_boot))
    lo, hi = np.percentile([fig(pb, g) - fig(pa, g) for g in draws], [2.5, 97.5], axis=0)
    return (
        f"frame {d[0]:+.3f} ({lo[0]:+.3f}, {hi[0]:+.3f}); dominant {d[1]:+.3f} ({lo[1]:+.3f}, {hi[1]:+.3f})"
    )


def paired_hits(a: np.ndarray, b: np.ndarray, n_boot: int, seed: int = 0) -> str:
    """Mean of b - a over articles (0/1 hits) with a 95 % paired-bootstrap interval, wins and losses."""
    d = b - a
    rng = np.random.default_rng(seed)
    boots = np.array([d[rng.integers(0, len(d), len(d))].mean() for _ in range(n_boot)])
    lo, hi = np.percentile(boots, [2.5, 97.5])
    return f"{d.mean():+.3f} ({lo:+.3f}, {hi:+.3f}; {int((d > 0).sum())} won, {int((d < 0).sum())} lost)"


def head_oof(st: Study, X: np.ndarray) -> np.ndarray:
    oof = np.zeros(st.gold.shape)
    for tr, te in st.folds:
        oof[te] = ArticleFrameHead(C=1.0).fit(X[tr], st.gold[tr]).predict_proba(X[te])
    return oof
