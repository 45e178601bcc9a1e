"""The client speaks HTTP only: it imports none of the server's packages, so it installs without them."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "framescope"
SERVER_PACKAGES = ("service", "classifiers", "comparison", "flask", "sqlalchemy", "marshmallow")


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_the_client_imports_no_server_code(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            assert name.split(".")[0] not in SERVER_PACKAGES, (path.name, name)
