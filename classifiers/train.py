"""Train (or load from cache) the default model and print its manifest summary.

usage: python -m classifiers.train [--cache-dir instance/models] [--force]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from classifiers.cache import load_or_train, model_path
from classifiers.codebook import load_codebook
from classifiers.corpus import load_corpus

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache-dir", type=Path, default=REPO / "instance" / "models")
    ap.add_argument("--force", action="store_true", help="retrain even if a cached model exists")
    args = ap.parse_args(argv)
    codebook = load_codebook()
    if args.force:
        model_path(codebook, load_corpus(codebook), args.cache_dir).unlink(missing_ok=True)
    model = load_or_train(codebook, args.cache_dir)
    m = model.manifest
    print(
        f"model {model.version}  codebook {codebook.key}@{codebook.hash}  corpus {m['corpus_hash']} "
        f"({m['n_articles']} articles, {m['n_sentences']} sentences)  trained {m['trained_at']} "
        f"in {m['train_seconds']} s"
    )
    for problem in m["corpus_problems"]:
        print(f"corpus problem: {problem}")
    metrics = m["metrics"]
    print(
        f"{'frame':24s} {'sent P':>7s} {'sent R':>7s} {'sent F1':>7s} "
        f"{'art P':>6s} {'art R':>6s} {'art F1':>6s} "
        f"{'thresh':>6s}"
    )
    for key in codebook.frame_keys:
        s, a = metrics["sentence"][key], metrics["article"][key]
        print(
            f"{key:24s} {s['precision']:7.3f} {s['recall']:7.3f} {s['f1']:7.3f} {a['precision']:6.3f} "
            f"{a['recall']:6.3f} {a['f1']:6.3f} {metrics['thresholds'][key]:6.3f}"
        )
    print(json.dumps(m["metrics_summary"]))


if __name__ == "__main__":
    main()
