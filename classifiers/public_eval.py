"""Public-dataset checks: the served model against the keyword dictionary on data nobody here wrote.

usage: python -m classifiers.public_eval [--cache-dir instance/models] [--datasets ../shared/datasets]

For each dataset with a defensible mapping (``classifiers.public_datasets``) both the served model
and the dictionary baseline (same codebook, ``classifiers.evaluate.fit_dictionary``) label the same
items, and the same figures are computed for both: precision, recall, F1, false-positive rate and
AUC of the frame score per mapped frame, macro-F1, stance macro-F1, the share of off-domain items
with a war-only frame, the share of headlines read (status ok), and how many labels respelling place
names changes. Every model - dictionary difference carries a seeded paired bootstrap 95 % interval
over items. Writes ``fixtures/public-eval.json`` (figures only, no text), stamped with the model
version; the model card renders it (``classifiers.public_card``).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.article import flatten, prepare_article
from classifiers.classifier import ArticleClassifier
from classifiers.codebook import STANCE_LABELS, Codebook
from classifiers.dictionary import DictionaryBaseline
from classifiers.environment import blas_kernels
from classifiers.public_datasets import (
    DATASETS_DIR,
    LOADERS,
    NOT_MAPPED,
    RESPELL,
    WAR_ONLY,
    PublicSet,
    respell,
    ukraine_articles,
)
from classifiers.public_metrics import BINARY_FIGURES, binary_figure, class_f1, macro_f1, paired_difference

REPO = Path(__file__).resolve().parents[1]
FIGURES_PATH = REPO / "fixtures" / "public-eval.json"
N_RESAMPLES = 1000
RANDOM_STATE = 0


def _r(x: float) -> float:
    return round(float(x), 4)


def model_outputs(model: ArticleClassifier, items: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Presence and article score of every codebook frame, stance label and status, per item."""
    results = model.classify_many([(t, x, None) for t, x in items])
    return {
        "present": np.asarray([[f.present for f in r.frames] for r in results], bool),
        "score": np.asarray([[f.score for f in r.frames] for r in results], float),
        "stance": [r.stance.label for r in results],
        "ok": np.asarray([r.status == "ok" for r in results], bool),
    }


def dictionary_outputs(base: DictionaryBaseline, items: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The dictionary's labels, and as its score the indicator matches per frame over the item."""
    preds = base.predict(items)
    keys = base.codebook.frame_keys
    prepared = [prepare_article(t, x) for t, x in items]
    texts, bounds = flatten(prepared)
    hits = base.sentence_hits(texts)[:, : len(keys)] if texts else np.zeros((0, len(keys)))
    score = np.vstack([hits[a:b].sum(axis=0) for a, b in zip(bounds[:-1], bounds[1:], strict=True)])
    return {
        "present": np.asarray([[k in p["frames"] for k in keys] for p in preds], bool),
        "score": score.astype(float),
        "stance": [p["stance"] for p in preds],
        "ok": np.asarray([pr.status == "ok" for pr in prepared], bool),
    }


def frame_figures(ps: PublicSet, codebook: Codebook, out: dict[str, dict], **boot: int) -> dict[str, Any]:
    """Per mapped row P/R/F1/FPR/AUC for both systems, macro-F1, and the war-only frame rate."""
    keys = list(codebook.frame_keys)
    n = len(ps.items)
    gold = np.asarray([[r.name in f for r in ps.rows] for f in ps.frames], bool).T  # rows x items
    pred, score = {}, {}
    for name, o in out.items():
        cols = [[keys.index(k) for k in r.keys] for r in ps.rows]
        pred[name] = np.vstack([o["present"][:, c].any(axis=1) for c in cols])
        score[name] = np.vstack([o["score"][:, c].max(axis=1) for c in cols])

    def fig(j: int, what: str) -> Callable[[np.ndarray, str], np.ndarray]:
        return lambda i, sys: binary_figure(what, gold[j][i], pred[sys][j][i], score[sys][j][i])

    checked = ("precision", "fpr", "f1", "auc") if ps.precision_check else ("f1", "auc")
    full = np.arange(n)
    rows = [
        {
            "frame": r.name,
            "source": r.source,
            "fit": r.fit,
            "positives": int(gold[j].sum()),
            **{sys: {w: _r(fig(j, w)(full, sys)) for w in BINARY_FIGURES} for sys in out},
            "difference": {w: paired_difference(fig(j, w), n, **boot) for w in checked},
        }
        for j, r in enumerate(ps.rows)
    ]

    def macro(i: np.ndarray, sys: str) -> np.ndarray:
        return np.mean([fig(j, "f1")(i, sys) for j in range(len(ps.rows))], axis=0)

    result = {"rows": rows, "macro_f1": {sys: _r(macro(full, sys)) for sys in out}}
    result["macro_f1"]["difference"] = paired_difference(macro, n, **boot)
    if ps.precision_check:
        war = {sys: o["present"][:, [keys.index(k) for k in WAR_ONLY]].any(axis=1) for sys, o in out.items()}
        rate: dict[str, Any] = {sys: _r(w.mean()) for sys, w in war.items()}
        rate["difference"] = paired_difference(lambda i, sys: war[sys][i].mean(axis=-1), n, **boot)
        result["war_only_rate"] = rate
    return result


def stance_figures(ps: PublicSet, out: dict[str, dict], **boot: int) -> dict[str, Any]:
    """Stance macro-F1 over favor/against/neutral (no label counts as wrong), per-class F1."""
    code = {c: k for k, c in enumerate(STANCE_LABELS)}
    gold = np.asarray([code[s] for s in ps.stance])
    pred = {sys: np.asarray([code.get(s, -1) for s in o["stance"]]) for sys, o in out.items()}
    full = np.arange(len(gold))
    figures = {
        sys: {
            "macro_f1": _r(macro_f1(gold, p, len(STANCE_LABELS))),
            **{c: _r(class_f1(gold, p, k)) for c, k in code.items()},
        }
        for sys, p in pred.items()
    }
    diff = paired_difference(
        lambda i, sys: macro_f1(gold[i], pred[sys][i], len(STANCE_LABELS)), len(full), **boot
    )
    return {"labels": {c: int((gold == k).sum()) for c, k in code.items()}, **figures, "difference": diff}


def respelling_changes(model: ArticleClassifier, base: DictionaryBaseline, root: Path) -> dict[str, Any]:
    """Articles of ukraine_news_bias whose stance or frames change when place names are respelled."""
    items = [(a["title"], a["text"]) for a in ukraine_articles(root)]
    before = {"model": model_outputs(model, items), "dictionary": dictionary_outputs(base, items)}
    changed = {"model": 0, "dictionary": 0}
    for mapping in ({b: a for a, b in RESPELL.items()}, RESPELL):
        other = [(respell(t, mapping), respell(x, mapping)) for t, x in items]
        after = {"model": model_outputs(model, other), "dictionary": dictionary_outputs(base, other)}
        for sys, a in before.items():
            b = after[sys]
            stance = np.asarray([x != y for x, y in zip(a["stance"], b["stance"], strict=True)])
            changed[sys] += int(((a["present"] != b["present"]).any(axis=1) | stance).sum())
    names = f"{'/'.join(RESPELL)} <-> {'/'.join(RESPELL.values())}, both ways"
    return {"n": 2 * len(items), "directions": names, **changed}


def dataset_figures(
    name: str,
    model: ArticleClassifier,
    base: DictionaryBaseline,
    root: Path = DATASETS_DIR,
    n_resamples: int = N_RESAMPLES,
    random_state: int = RANDOM_STATE,
) -> dict[str, Any]:
    """All figures of one dataset (a key of ``public_datasets.LOADERS``)."""
    ps = LOADERS[name](root)
    boot = {"n_resamples": n_resamples, "random_state": random_state}
    out = {"model": model_outputs(model, ps.items), "dictionary": dictionary_outputs(base, ps.items)}
    fig: dict[str, Any] = {
        "n": len(ps.items),
        "unit": ps.unit,
        "precision_check": ps.precision_check,
        "left_out": ps.left_out,
    }
    if ps.rows:
        fig.update(frame_figures(ps, model.codebook, out, **boot))
    if ps.stance is not None:
        fig["stance"] = stance_figures(ps, out, **boot)
        fig["respelling"] = respelling_changes(model, base, root)
    fig["status_ok"] = {sys: _r(o["ok"].mean()) for sys, o in out.items()}
    return fig


def public_figures(
    model: ArticleClassifier, base: DictionaryBaseline, root: Path = DATASETS_DIR
) -> dict[str, Any]:
    """Every dataset's figures, stamped with the model version and the bootstrap settings."""
    return {
        "model_version": model.version,
        "codebook_hash": model.codebook.hash,
        "command": "python -m classifiers.public_eval",
        "bootstrap": {
            "n_resamples": N_RESAMPLES,
            "random_state": RANDOM_STATE,
            "method": "paired percentile",
        },
        "blas_kernels": blas_kernels(),  # the figures' last digits depend on it (docs/reproducibility.md)
        "dictionary_min_hits": dict(zip(model.codebook.frame_keys, map(int, base.min_hits), strict=True)),
        "datasets": {name: dataset_figures(name, model, base, root) for name in LOADERS},
        "not_mapped": NOT_MAPPED,
    }


def main(argv: list[str] | None = None) -> None:
    import warnings  # noqa: PLC0415

    from classifiers.cache import load_or_train  # noqa: PLC0415
    from classifiers.codebook import load_codebook  # noqa: PLC0415
    from classifiers.corpus import load_corpus  # noqa: PLC0415
    from classifiers.evaluate import fit_dictionary  # noqa: PLC0415

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache-dir", type=Path, default=REPO / "instance" / "models")
    ap.add_argument("--datasets", type=Path, default=DATASETS_DIR)
    ap.add_argument("--out", type=Path, default=FIGURES_PATH)
    args = ap.parse_args(argv)
    codebook = load_codebook()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = load_or_train(codebook, args.cache_dir)
        base = fit_dictionary(codebook, load_corpus(codebook))
    figures = public_figures(model, base, args.datasets)
    args.out.write_text(json.dumps(figures, indent=1) + "\n")
    print(f"wrote {args.out} for model {figures['model_version']}")


if __name__ == "__main__":
    main()
