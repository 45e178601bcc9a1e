"""Score the model and the dictionary baseline on the real-article evaluation set.

usage: python -m classifiers.evaluate [--eval-dir ../shared/eval] [--cache-dir instance/models] [--out DIR]

The evaluation set is read in place and never copied; predictions are written to
``--out`` (default ``instance/eval``) as JSON Lines in the format score.py expects.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from classifiers.cache import load_or_train
from classifiers.codebook import Codebook, load_codebook
from classifiers.corpus import Corpus, load_corpus
from classifiers.dictionary import DictionaryBaseline
from classifiers.scoring import EVAL_DIR, f1_from_counts, format_table, read_jsonl, score

REPO = Path(__file__).resolve().parents[1]


def fit_dictionary(codebook: Codebook, corpus: Corpus) -> DictionaryBaseline:
    """Dictionary baseline whose per-frame ``min_hits`` (1-4) is picked on our corpus, not on eval."""
    texts = [s.text for a in corpus.articles for s in a.sentences] + [a.title for a in corpus.articles]
    items = [(a.title, a.text) for a in corpus.articles]
    keys = codebook.frame_keys
    best = np.ones(len(keys), int)
    best_f1 = np.full(len(keys), -1.0)
    for m in (1, 2, 3, 4):
        preds = DictionaryBaseline(codebook, texts, min_hits=m).predict(items)
        for j, k in enumerate(keys):
            tp = sum(k in p["frames"] and k in a.frames for p, a in zip(preds, corpus.articles, strict=True))
            fp = sum(
                k in p["frames"] and k not in a.frames for p, a in zip(preds, corpus.articles, strict=True)
            )
            fn = sum(
                k not in p["frames"] and k in a.frames for p, a in zip(preds, corpus.articles, strict=True)
            )
            f1 = f1_from_counts(tp, fp, fn)
            if f1 > best_f1[j]:
                best[j], best_f1[j] = m, f1
    return DictionaryBaseline(codebook, texts, min_hits=best)


def model_predictions(model, articles: list[dict]) -> list[dict]:
    results = model.classify_many([(a.get("title", ""), a.get("text", ""), None) for a in articles])
    return [
        {"id": a["id"], "frames": r.present_frames, "dominant": r.dominant_frame, "stance": r.stance.label}
        for a, r in zip(articles, results, strict=True)
    ]


def evaluate(
    eval_dir: Path = EVAL_DIR,
    cache_dir: Path = REPO / "instance" / "models",
    out_dir: Path | None = REPO / "instance" / "eval",
    model=None,
) -> dict:
    """Return ``{"model": score, "dictionary": score, "version": ...}`` and write predictions."""
    codebook = load_codebook()
    model = model or load_or_train(codebook, cache_dir)
    articles = read_jsonl(Path(eval_dir) / "articles.jsonl")
    gold = read_jsonl(Path(eval_dir) / "labels.jsonl")
    preds = model_predictions(model, articles)
    base = fit_dictionary(codebook, load_corpus(codebook))
    base_preds = [
        {"id": a["id"], **p}
        for a, p in zip(
            articles, base.predict([(a.get("title", ""), a.get("text", "")) for a in articles]), strict=True
        )
    ]
    if out_dir is not None:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, rows in (
            (f"predictions-{model.version}.jsonl", preds),
            ("predictions-dictionary.jsonl", base_preds),
        ):
            (out_dir / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
    return {
        "version": model.version,
        "model": score(preds, gold, codebook.frame_keys),
        "dictionary": score(base_preds, gold, codebook.frame_keys),
        "dictionary_min_hits": dict(zip(codebook.frame_keys, base.min_hits.tolist(), strict=True)),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    ap.add_argument("--cache-dir", type=Path, default=REPO / "instance" / "models")
    ap.add_argument("--out", type=Path, default=REPO / "instance" / "eval")
    args = ap.parse_args(argv)
    if not (args.eval_dir / "labels.jsonl").is_file():
        raise SystemExit(f"no evaluation set at {args.eval_dir}")
    res = evaluate(args.eval_dir, args.cache_dir, args.out)
    print(f"== model {res['version']}\n{format_table(res['model'])}")
    print(
        f"\n== dictionary baseline (min_hits per frame {res['dictionary_min_hits']})\n"
        f"{format_table(res['dictionary'])}"
    )
    print(f"\npredictions written to {args.out}")


if __name__ == "__main__":
    main()
