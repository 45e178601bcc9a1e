"""docs/notebooks run as a reader runs them (nbclient, a real IPython kernel); the README snippet too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "docs" / "notebooks" / "compare-outlets.ipynb"


def outputs_of(cell) -> str:
    """Everything a code cell showed, as text (plain-text reprs and printed streams)."""
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.append(output.get("data", {}).get("text/plain", ""))
    return "".join(parts)


@pytest.mark.slow
def test_compare_outlets_notebook_runs_and_shows_its_table_and_chart(classifier):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    # Run from docs/notebooks, as a reader who opens the file in Jupyter would (the notebook finds the root).
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    client.execute()  # raises CellExecutionError, with the traceback, if any cell fails
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    shown = "\n".join(outputs_of(cell) for cell in code)
    assert f"model {classifier.version}" in shown  # classified by the served model
    table = next(outputs_of(c) for c in code if 'pivot(index="outlet", columns="frame"' in c.source)
    for outlet in ("capital-ledger", "civic-herald", "eastern-wire", "harbour-gazette"):
        assert outlet in table
    assert re.search(r"100% \(57%-100%\)", table)  # capital-ledger's economic-cost, with its interval
    assert "state-aligned" in shown and "independent" in shown  # the group comparison
    images = [
        o["data"]["image/svg+xml"] for c in code for o in c.outputs if "image/svg+xml" in o.get("data", {})
    ]
    assert len(images) == 1 and ">57%–100%<" in images[0]  # the rendered heatmap, intervals in its cells


def readme_python_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


@pytest.mark.slow
def test_readme_notebook_snippet_runs_as_written(monkeypatch, capsys, classifier):
    blocks = [b for b in readme_python_blocks() if "compare_outlets" in b]
    assert blocks, "the README's notebook snippet is gone"
    monkeypatch.chdir(ROOT)  # the README's commands run from the repository root
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)  # noqa: S102 - our own README
    assert "Comparison of 4 outlets, 20 articles" in capsys.readouterr().out
    assert namespace["result"].outlets == (
        "capital-ledger",
        "civic-herald",
        "eastern-wire",
        "harbour-gazette",
    )
