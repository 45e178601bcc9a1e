"""The comparison heatmap rendered by Vega-Lite (vl-convert): every label whole and inside its cell.

Text widths are bounded without trusting any font: no glyph in a cell label (digits, ``%``, ``–``)
is wider than 1 em, so ``len(line) * font_size`` is an upper bound on a line's width in any browser.
"""

import struct

import pytest

from comparison import ArticleRecord, compare_outlets, heatmap_spec
from comparison.export import HEATMAP_CELL

FRAMES = ("escalation-risk", "support-commitment", "economic-cost", "humanitarian-impact")

vlc = pytest.importorskip("vl_convert")


def result_with_full_range():
    """Shares of 0%, 20%, 60% and 100% (intervals as wide as "57%–100%") for four outlets."""
    records = []
    for o, k in (("capital-ledger", 5), ("civic-herald", 3), ("eastern-wire", 1), ("harbour-gazette", 0)):
        for i in range(5):
            frames = {f: i < k if j % 2 == 0 else i >= k for j, f in enumerate(FRAMES)}
            records.append(ArticleRecord(o, frames, model_version="v", codebook_hash="c"))
    return compare_outlets(records, FRAMES, vocabulary=False, n_resamples=99)


def marks(node, found=None):
    """Every mark node of a Vega scenegraph, depth first (name, role, items)."""
    found = [] if found is None else found
    if isinstance(node, dict):
        if node.get("marktype"):
            found.append(node)
        for child in node.get("items", ()):
            marks(child, found)
        if "root" in node:
            marks(node["root"], found)
    return found


@pytest.fixture(scope="module")
def rendered():
    spec = heatmap_spec(result_with_full_range())
    return spec, vlc.vegalite_to_scenegraph(spec)


def test_cell_labels_fit_inside_their_cells(rendered):
    spec, scenegraph = rendered
    found = marks(scenegraph["scenegraph"])
    cells = next(m for m in found if m["marktype"] == "rect" and m.get("role") == "mark")["items"]
    texts = [m for m in found if m["marktype"] == "text" and m.get("role") == "mark"]
    assert len(texts) == 2 and len(cells) == 16
    width, height = HEATMAP_CELL["width"], HEATMAP_CELL["height"]
    assert all(c["width"] == width and c["height"] == height for c in cells)
    seen = set()
    for layer in texts:
        for item in layer["items"]:
            cell = next(
                c
                for c in cells
                if c["x"] <= item["x"] < c["x"] + width and c["y"] <= item["y"] < c["y"] + height
            )
            size = item["fontSize"]
            half_width = len(item["text"]) * size / 2  # centred: at most this far either side
            assert item["align"] == "center" and item["x"] == pytest.approx(cell["x"] + width / 2)
            assert half_width <= width / 2 - 2, item["text"]  # never spills into the next cell
            centre = item["y"] + item.get("dy", 0)
            assert cell["y"] + 1 <= centre - size / 2 and centre + size / 2 <= cell["y"] + height - 1
            seen.add(item["text"])
    assert {"0%", "20%", "60%", "100%", "57%–100%", "0%–43%"} <= seen  # every share, its interval too


def test_axis_labels_and_title_are_whole(rendered):
    spec, _ = rendered
    svg = vlc.vegalite_to_svg(spec)
    assert "…" not in svg  # Vega marks truncated labels with an ellipsis
    for name in (*FRAMES, "capital-ledger", "harbour-gazette", "Frame prevalence by outlet", "100%"):
        assert f">{name}<" in svg
    png = vlc.vegalite_to_png(spec, scale=1)
    image_width, image_height = struct.unpack(">II", png[16:24])
    assert image_width >= 4 * HEATMAP_CELL["width"] + len("harbour-gazette") * 5  # cells + the y labels
    assert image_height >= 4 * HEATMAP_CELL["height"]


def test_tooltip_and_legend_show_percentages(rendered):
    spec, _ = rendered
    tooltip = {t["field"]: t for t in spec["layer"][0]["encoding"]["tooltip"]}
    assert {tooltip[f]["format"] for f in ("share", "ci_low", "ci_high")} == {".1%"}
    assert spec["layer"][0]["encoding"]["color"]["legend"]["format"] == ".0%"
