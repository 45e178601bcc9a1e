"""Reliability curves: binned predicted probability against observed frequency, out of fold by event.

usage: python -m classifiers.reliability_curves [--bins 5]

For each frame, the article head's probability (the ``score`` of each frame in an answer) of every
corpus article comes from a head fitted on the other events' out-of-fold sentence scores (the
same nested, event-grouped cross-validation as the model card's Brier scores,
``classifiers.cv``). For stance, each label's probability from an aggregator fitted on the other
events. Each bin says how many articles it holds, their mean predicted probability and the share
that truly has the frame (or label): a calibrated model's points lie on the diagonal. Read-only
over the training code (nothing here changes the model or its version).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np
from sklearn.model_selection import GroupKFold

from classifiers.article_head import corpus_evidence
from classifiers.codebook import STANCE_LABELS, Codebook, load_codebook
from classifiers.corpus import Corpus, load_corpus
from classifiers.cv import article_head_oof, cross_validate, head_excerpts
from classifiers.models import make_stance_aggregator
from classifiers.params import resolve_params
from classifiers.training import stance_article_data

N_BINS = 5


def reliability_bins(proba: Sequence[float], truth: Sequence[bool], n_bins: int = N_BINS) -> list[dict]:
    """Equal-width bins on [0, 1]: ``n``, ``mean_predicted``, ``observed`` (``None`` for empty bins)."""
    p, y = np.asarray(proba, float), np.asarray(truth, float)
    edges = np.linspace(0, 1, n_bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1]), 0, n_bins - 1)
    out = []
    for b in range(n_bins):
        m = idx == b
        out.append(
            {
                "low": float(edges[b]),
                "high": float(edges[b + 1]),
                "n": int(m.sum()),
                "mean_predicted": float(p[m].mean()) if m.any() else None,
                "observed": float(y[m].mean()) if m.any() else None,
            }
        )
    return out


def stance_oof_proba(X: np.ndarray, labels: np.ndarray, events: np.ndarray, class_weight) -> np.ndarray:  # noqa: ANN001
    """Out-of-fold stance probabilities (columns in ``STANCE_LABELS`` order), folds grouped by event."""
    proba = np.zeros((len(labels), len(STANCE_LABELS)))
    for tr, te in GroupKFold(n_splits=min(5, len(set(events)))).split(X, groups=events):
        model = make_stance_aggregator(0, class_weight).fit(X[tr], labels[tr].astype(str))
        cols = [list(model.classes_).index(c) for c in STANCE_LABELS]
        proba[te] = model.predict_proba(X[te])[:, cols]
    return proba


def reliability_curves(
    corpus: Corpus, codebook: Codebook, params: dict | None = None, n_bins: int = N_BINS
) -> dict:
    """``{"frames": {key: {"brier", "bins"}}, "stance": {label: {"brier", "bins"}}}`` out of fold."""
    params = resolve_params(params)
    cv = cross_validate(corpus, codebook, params)
    table, keys = cv["table"], codebook.frame_keys
    gold = np.asarray([[k in a.frames for k in keys] for a in corpus.articles], dtype=int)
    events = np.asarray([a.event for a in corpus.articles])
    X_art = corpus_evidence(table, len(corpus.articles), cv["frame"])
    ex = head_excerpts(table, len(corpus.articles), cv["frame"], params)
    scores = article_head_oof(X_art, gold, events, params.get("article_head_C") or 1.0, ex)
    out: dict = {"frames": {}, "stance": {}, "n_articles": len(corpus.articles)}
    for j, k in enumerate(keys):
        out["frames"][k] = {
            "brier": float(np.mean((scores[:, j] - gold[:, j]) ** 2)),
            "bins": reliability_bins(scores[:, j], gold[:, j] == 1, n_bins),
        }
    X, labels = stance_article_data(corpus, table, cv["stance"], cv["alias"])
    has = np.asarray([lbl is not None for lbl in labels])
    proba = stance_oof_proba(X[has], labels[has], events[has], params["stance_class_weight"])
    y = labels[has]
    out["n_stance_articles"] = int(has.sum())
    for c, label in enumerate(STANCE_LABELS):
        truth = y == label
        out["stance"][label] = {
            "brier": float(np.mean((proba[:, c] - truth) ** 2)),
            "bins": reliability_bins(proba[:, c], truth, n_bins),
        }
    return out


def card_section(curves: dict) -> list[str]:
    """Model-card Markdown: one row per frame / stance label, one cell per bin (predicted → observed)."""

    def cell(b: dict) -> str:
        if not b["n"]:
            return "–"
        return f"{b['mean_predicted']:.2f} → {b['observed']:.2f} (n={b['n']})"

    bins = next(iter(curves["frames"].values()))["bins"]
    head = "| | Brier | " + " | ".join(f"[{b['low']:.1f}, {b['high']:.1f})" for b in bins) + " |"
    rule = "| --- | ---: |" + " ---: |" * len(bins)
    out = [
        "## Reliability curves (corpus, out of fold, grouped by event)",
        "",
        "Each cell: mean predicted probability → observed frequency (articles in the bin), in",
        "equal-width bins. Frames: the article head's probability (each frame's `score`; `present` is",
        "`score` ≥ the frame's threshold, 0.5 for the head), from heads fitted on other events'",
        f"out-of-fold sentence scores ({curves['n_articles']} articles). Stance: each label's probability",
        f"from aggregators fitted on other events ({curves['n_stance_articles']} articles with a stance).",
        "Generated by `python -m classifiers.reliability_curves`.",
        "",
        head,
        rule,
    ]
    for name, group in (("frame", curves["frames"]), ("stance", curves["stance"])):
        for key, c in group.items():
            label = key if name == "frame" else f"stance: {key}"
            out.append(f"| {label} | {c['brier']:.3f} | " + " | ".join(cell(b) for b in c["bins"]) + " |")
    return out + [""]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bins", type=int, default=N_BINS)
    args = ap.parse_args(argv)
    codebook = load_codebook()
    print("\n".join(card_section(reliability_curves(load_corpus(codebook), codebook, n_bins=args.bins))))


if __name__ == "__main__":
    main()
