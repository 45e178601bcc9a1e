"""Comparing recomputed figures with shipped ones when the BLAS kernel may differ.

The same model version trained under another OpenBLAS kernel (``OPENBLAS_CORETYPE=Haswell``
against SkylakeX) differs in the last digits of its weights (docs/reproducibility.md). Shipped
figure files name the kernels that computed them: under those kernels a test compares bit for
bit, under others leaf by leaf with a measured tolerance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from classifiers.environment import blas_kernels


def same_kernels(shipped: dict[str, Any], model: Any) -> bool:
    """This process and the model's training ran under the kernels that computed ``shipped``."""
    trained = model.manifest.get("environment")
    kernels = shipped.get("blas_kernels")
    return kernels == blas_kernels() and trained is not None and kernels == blas_kernels(trained)


def leaves(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """``(path, leaf)`` pairs of nested dicts and lists (lists indexed)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from leaves(value, f"{path}[{i}]")
    else:
        yield path, node


def assert_figures_match(  # noqa: PLR0913
    fresh: Any,
    shipped_part: Any,
    shipped: dict[str, Any],
    model: Any,
    close: Callable[[str, float, float], bool],
) -> None:
    """Equal when ``model`` was trained, and this process runs, under the shipped kernels; else the
    same leaves, equal where not floats, and every float ``close(path, fresh, shipped)``."""
    if same_kernels(shipped, model):
        assert fresh == shipped_part
        return
    now, then = dict(leaves(fresh)), dict(leaves(shipped_part))
    assert now.keys() == then.keys()
    for path, value in then.items():
        if isinstance(value, float):
            assert close(path, now[path], value), f"{path}: {now[path]} vs {value} (another BLAS kernel)"
        else:
            assert now[path] == value, path
