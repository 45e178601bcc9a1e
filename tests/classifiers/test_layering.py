"""Imports inside classifiers/ go one way: inference <- training <- cross-validation <- build/cache.

Inference (what a worker runs per request) must not drag in training or cross-validation code, and
training must not depend on the cross-validation that evaluates it.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "classifiers"
ORCHESTRATION = {"classifiers.build", "classifiers.cache"}
NOT_IMPORTED_BY = {
    "classifier": {"classifiers.training", "classifiers.cv", *ORCHESTRATION},
    "sentence_model": {"classifiers.training", "classifiers.cv", *ORCHESTRATION},
    "training": {"classifiers.cv", *ORCHESTRATION},
    "cv": ORCHESTRATION,
}


def imported_modules(module: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("module", sorted(NOT_IMPORTED_BY))
def test_imports_go_one_way(module):
    assert not imported_modules(module) & NOT_IMPORTED_BY[module]


def test_stance_labels_are_written_out_once():
    literal = '("favor", "against", "neutral")'
    holders = [p.name for p in sorted(PACKAGE.glob("*.py")) if literal in p.read_text()]
    assert holders == ["codebook.py"]
