"""The numeric environment of training: a fixed BLAS thread count, and a record of what ran.

The fitted weights depend on more than the code, data and parameters: OpenBLAS splits a long dot
product across its threads, and each split rounds differently, so the liblinear frame heads and
the newton-cg stance head come out different (by ~1e-4 in a coefficient) with 1 thread and with
2. The article head's evidence has thresholds (``counted_*``: a frame at least 0.7 of the
sentence's top frame), which turn such a shift into a flipped article decision now and then, so
cross-validated figures can move too. OpenBLAS's run-time choice of CPU kernel does the same (CV
frame 0.8200 with its Haswell kernel, 0.8206 with SkylakeX). ``training_threads`` fixes the
thread count for every fit; ``numeric_environment`` records what the count cannot fix (library
versions, and the kernel OpenBLAS picked), so a model card says what produced its figures.
"""

from __future__ import annotations

import platform
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import scipy
import sklearn
import threadpoolctl

#: BLAS threads for every training fit. 2: the count the served model was trained with (the
#: default on a 2-core machine), so fixing it kept the served weights; 1 would give other bits.
TRAINING_BLAS_THREADS = 2

#: SIMD extensions worth naming in a manifest (numpy's names), oldest first.
_SIMD = (
    "SSE42",
    "AVX",
    "F16C",
    "FMA3",
    "AVX2",
    "AVX512F",
    "AVX512_SKX",
    "AVX512_ICL",
    "AVX512_SPR",
    "ASIMD",
    "ASIMDHP",
    "SVE",
    "VSX3",
    "VX",
)


@contextmanager
def training_threads() -> Iterator[None]:
    """Run the block with exactly ``TRAINING_BLAS_THREADS`` BLAS threads, whatever the caller set.

    Why: with OpenBLAS the weights depend on the thread count (see the module docstring), and the
    default count is the number of cores, so a different machine or ``OMP_NUM_THREADS`` gave other
    bits under the same model version. OpenMP is not limited: no training step's result depends
    on it (measured: ``OMP_NUM_THREADS=1`` with 2 BLAS threads gives identical bits).

    Notes
    -----
    Only training uses this; prediction is single-threaded per request and unchanged. OpenBLAS
    grows its pool when asked for more threads than it started with, so the count holds on a
    1-core machine (and under ``OPENBLAS_NUM_THREADS=1``) too.
    """
    with threadpoolctl.threadpool_limits(limits=TRAINING_BLAS_THREADS, user_api="blas"):
        yield


def cpu_features() -> list[str]:
    """The SIMD extensions of this CPU that numpy detected at run time (``_SIMD`` names, in order)."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as found
    except ImportError:  # numpy's private table moved: record nothing rather than fail training
        return []
    return [name for name in _SIMD if found.get(name)]


def numeric_environment() -> dict[str, Any]:
    """Library versions, BLAS builds with the CPU kernel each chose, and the CPU, for a manifest.

    The BLAS ``architecture`` (OpenBLAS's run-time kernel choice, e.g. ``Haswell`` or
    ``SkylakeX``) matters as much as the versions: the same wheels on another CPU can pick another
    kernel, which rounds differently (docs/reproducibility.md).
    """
    blas = [
        {
            "library": Path(info.get("filepath") or "").name,
            **{key: info.get(key) for key in ("internal_api", "version", "architecture", "threading_layer")},
        }
        for info in threadpoolctl.threadpool_info()
        if info.get("user_api") == "blas"
    ]
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "sklearn": sklearn.__version__,
        "threadpoolctl": threadpoolctl.__version__,
        "blas": blas,
        "blas_threads": TRAINING_BLAS_THREADS,
        "machine": platform.machine(),
        "cpu_features": cpu_features(),
    }


def blas_kernels(env: dict[str, Any] | None = None) -> list[str]:
    """The kernels BLAS chose (``openblas 0.3.30 Haswell``), in this process or in a recorded
    ``numeric_environment()``: figures computed under another kernel may differ in their last
    digits, so stored figures name theirs."""
    blas = (env or numeric_environment())["blas"]
    return sorted(f"{b['internal_api']} {b['version']} {b['architecture']}" for b in blas)


def environment_summary(env: dict[str, Any]) -> str:
    """One line for a model card: versions, BLAS kernel(s), CPU extensions."""
    kernels = sorted({f"{b['internal_api']} {b['version']} ({b['architecture']})" for b in env["blas"]})
    return (
        f"numpy {env['numpy']}, scipy {env['scipy']}, scikit-learn {env['sklearn']}; "
        f"BLAS {', '.join(kernels) or 'unknown'}, {env['blas_threads']} threads; "
        f"{env['machine']} with {' '.join(env['cpu_features']) or 'no SIMD extensions detected'}"
    )


def environment_line(manifest: dict[str, Any], *, label: str = "Numeric environment") -> str:
    """The model card's line on what trained a model (manifests from before this was recorded say so)."""
    env = manifest.get("environment")
    if not env:
        return (
            f"- {label}: not recorded (trained before manifests kept it; "
            "`python -m classifiers.train --force` retrains and records it)."
        )
    return (
        f"- {label}: {environment_summary(env)}. The same version in the same "
        "environment gives the same bits (docs/reproducibility.md)."
    )


def fitted_arrays(model) -> dict[str, np.ndarray]:
    """Every learned weight of a trained ``ArticleClassifier``, by name, for bit-for-bit comparison."""
    sm = model.sentence_model_
    out = {"frame_coef": sm.frame_head.stacked_coef_, "frame_intercept": sm.frame_head.stacked_intercept_}
    for j, est in enumerate(sm.stance_head.estimators_):
        out |= {f"stance{j}_coef": est.coef_, f"stance{j}_intercept": est.intercept_}
    scaler, lr = (step for _, step in model.stance_aggregator_.steps)
    out |= {"aggregator_mean": scaler.mean_, "aggregator_scale": scaler.scale_}
    out |= {"aggregator_coef": lr.coef_, "aggregator_intercept": lr.intercept_}
    head = model.article_head_
    if head is not None:
        out |= {"head_mean": head.mean_, "head_scale": head.scale_}
        for j, est in enumerate(head.estimators_):
            if not isinstance(est, float):
                out |= {f"head{j}_coef": est.coef_, f"head{j}_intercept": est.intercept_}
    return out
