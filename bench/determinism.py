"""Does training give the same bits under other BLAS thread counts and OpenBLAS kernels?

usage: python bench/determinism.py [--threads 1 2 3] [--coretypes "" SkylakeX] [--params JSON]

Trains the served model (full corpus, served parameters unless ``--params``) once per setting,
each in a fresh process with ``OPENBLAS_NUM_THREADS`` and ``OPENBLAS_CORETYPE`` set (these are
read when OpenBLAS loads, so only a new process can change them), and compares every fitted
array and the CV figures with the first setting. With the pin in
``classifiers.environment.training_threads`` the thread count must not matter; another kernel
may (docs/reproducibility.md). ``""`` unsets ``OPENBLAS_CORETYPE`` (whatever the shell set), so
OpenBLAS picks the kernel from the CPU. Each run reports the kernel its manifest recorded.
Takes 10-60 s per setting on 2 busy cores.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import warnings
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def worker(out: Path, params: dict) -> None:
    """Train in this process and save its fitted arrays, CV figures and BLAS kernels to ``out``."""
    from classifiers.build import train
    from classifiers.codebook import load_codebook
    from classifiers.corpus import load_corpus
    from classifiers.environment import fitted_arrays

    codebook = load_codebook()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = load_corpus(codebook)
    model = train(codebook, corpus, params, now=datetime(2026, 1, 1, tzinfo=UTC))
    m = model.manifest
    cv = [m["metrics"][k] for k in ("article_frame_macro_f1", "article_stance_macro_f1", "dominant_accuracy")]
    kernels = sorted({b["architecture"] or "?" for b in m["environment"]["blas"]})
    np.savez(out, cv=np.asarray(cv), **fitted_arrays(model))
    out.with_suffix(".json").write_text(json.dumps({"version": m["version"], "kernels": kernels}))


def compare(ref: Path, other: Path) -> tuple[int, int, float]:
    """(arrays identical, arrays compared, largest absolute difference) between two saved runs."""
    a, b = np.load(ref), np.load(other)
    same, worst = 0, 0.0
    for key in a.files:
        if a[key].shape == b[key].shape and np.array_equal(a[key], b[key]):
            same += 1
        else:
            worst = max(
                worst, float(np.max(np.abs(a[key] - b[key]))) if a[key].shape == b[key].shape else np.inf
            )
    return same, len(a.files), worst


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2, 3], help="OPENBLAS_NUM_THREADS values")
    ap.add_argument(
        "--coretypes", nargs="+", default=[""], help='OPENBLAS_CORETYPE values ("": unset, from the CPU)'
    )
    ap.add_argument("--params", type=json.loads, default={}, help="training parameters over the served ones")
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.params)
    with tempfile.TemporaryDirectory() as tmp:
        runs = []
        for core, n in itertools.product(args.coretypes, args.threads):
            out = Path(tmp) / f"run{len(runs)}.npz"
            env = {**os.environ, "OPENBLAS_NUM_THREADS": str(n)}
            env.pop("OPENBLAS_CORETYPE", None)
            env |= {"OPENBLAS_CORETYPE": core} if core else {}
            cmd = [sys.executable, __file__, "--worker", str(out), "--params", json.dumps(args.params)]
            subprocess.run(cmd, env=env, check=True)
            runs.append((f"coretype={core or 'auto'} threads={n}", out))
        ref_label, ref = runs[0]
        print(f"reference: {ref_label}  ({os.getloadavg()[0]:.2f} load)")
        for label, out in runs:
            meta = json.loads(out.with_suffix(".json").read_text())
            same, total, worst = compare(ref, out)
            cv = np.load(out)["cv"]
            print(
                f"{label:34s} {meta['version']} kernel {'/'.join(meta['kernels']):10s} "
                f"identical {same}/{total}  max|d| {worst:.2e}  CV frame {cv[0]:.4f} stance {cv[1]:.4f} "
                f"dominant {cv[2]:.4f}"
            )


if __name__ == "__main__":
    main()
