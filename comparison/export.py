"""Tidy rows to CSV, and Vega-Lite specs (plain dicts, data inline) for dashboards."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from comparison.compare import ComparisonResult
from comparison.errors import InvalidParameterError
from comparison.trends import TrendResult

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
#: First characters that make spreadsheets read a cell as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def to_csv(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None, *, header: bool = True
) -> str:
    """Rows (list of dicts, as ``tables()`` returns) as CSV text with a header line.

    Columns are the keys in first-seen order unless given; ``None`` becomes an empty cell, floats
    keep full precision (``repr``), nested values are JSON; lines end in CRLF (RFC 4180, so a carriage
    return inside a cell is quoted too). Reads back with ``csv.DictReader``,
    pandas ``read_csv`` and R ``read.csv`` without reshaping. ``header=False`` leaves the header line
    out (the second and later chunks of a streamed export).

    Notes
    -----
    Text cells (titles, outlet names, terms) that start with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return get a leading apostrophe, so a spreadsheet shows them instead of evaluating a
    formula (OWASP, CSV injection). Numbers are written as numbers, negative ones included.
    """
    rows = list(rows)
    if columns is None:
        columns = list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\r\n")
    if header:
        writer.writeheader()
    for row in rows:
        writer.writerow({c: _cell(row.get(c)) for c in columns})
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(float(value))
    if isinstance(value, Mapping | list | tuple):
        value = json.dumps(value, sort_keys=True)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


MAX_COLOURED_UNITS = 6  # lines per panel that colours still tell apart
#: Heatmap cell size and label fonts: two lines, the share (12 px, bold) over its interval (9 px).
#: At no more than 1 em a character (``%`` is the widest glyph used, ~0.95 em in DejaVu Sans), "100%"
#: needs 48 px and "57%–100%" 72 px: both fit a 96 px cell in any browser font, instead of spilling
#: into the neighbour (one-line "100% (57%-100%)" labels over-printed each other and read "00%").
HEATMAP_CELL = {"width": 96, "height": 36, "share_font": 12, "interval_font": 9}


def heatmap_spec(result: ComparisonResult, *, title: str | None = None) -> dict[str, Any]:
    """Unit (outlet or group) × frame heatmap of prevalence, each cell printed with its 95% interval.

    Legible from 2 to 60 units: cells have a fixed size (``step``), so the chart grows with the units
    instead of squeezing them; each cell holds its share and, on a second, smaller line, its interval
    (both sized to fit the cell whatever the font); axis labels are never cut below 240 px; frames
    are labelled at 30°; the tooltip repeats the counts and the interval.
    """
    unit = result.unit
    rows = [
        {
            **{k: r[k] for k in (unit, "frame", "count", "n", "share", "ci_low", "ci_high")},
            "share_label": f"{r['share']:.0%}",
            "interval_label": f"{r['ci_low']:.0%}–{r['ci_high']:.0%}",
        }
        for r in result.tables()["prevalence"]
    ]
    x = {
        "field": "frame",
        "type": "nominal",
        "sort": list(result.frames),
        "title": "Frame",
        "axis": {"labelAngle": -30, "labelLimit": 240, "labelFontSize": 11},
    }
    y = {
        "field": unit,
        "type": "nominal",
        "sort": list(result.outlets),
        "title": unit.capitalize(),
        "axis": {"labelLimit": 240, "labelFontSize": 11},
    }
    tooltip = [
        {"field": unit, "type": "nominal"},
        {"field": "frame", "type": "nominal"},
        {"field": "count", "type": "quantitative", "title": "articles using the frame"},
        {"field": "n", "type": "quantitative", "title": "articles"},
        *(
            {"field": f, "type": "quantitative", "format": ".1%", "title": name}
            for f, name in (
                ("share", "share"),
                ("ci_low", "95% interval from"),
                ("ci_high", "95% interval to"),
            )
        ),
    ]
    on_dark = {"condition": {"test": "datum.share > 0.6", "value": "white"}, "value": "black"}
    cell = HEATMAP_CELL
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": {
            "text": title or f"Frame prevalence by {unit}",
            "subtitle": "Share of articles using each frame; 95% Wilson interval below",
            "anchor": "start",
        },
        "description": "Share of articles using each frame; models "
        + (", ".join(result.model_versions) or "unknown"),
        "data": {"values": rows},
        "width": {"step": cell["width"]},
        "height": {"step": cell["height"]},
        "encoding": {"x": x, "y": y},
        "layer": [
            {
                "mark": {"type": "rect", "stroke": "white", "strokeWidth": 1, "cursor": "pointer"},
                "encoding": {
                    "color": {
                        "field": "share",
                        "type": "quantitative",
                        "title": "Prevalence",
                        "scale": {"domain": [0, 1], "scheme": "blues"},
                        "legend": {"format": ".0%"},
                    },
                    "tooltip": tooltip,
                },
            },
            {
                "mark": {
                    "type": "text",
                    "baseline": "middle",
                    "fontSize": cell["share_font"],
                    "fontWeight": "bold",
                    "dy": -7,
                    "cursor": "pointer",
                },
                "encoding": {
                    "text": {"field": "share_label", "type": "nominal"},
                    "color": on_dark,
                    "tooltip": tooltip,
                },
            },
            {
                "mark": {
                    "type": "text",
                    "baseline": "middle",
                    "fontSize": cell["interval_font"],
                    "dy": 8,
                    "cursor": "pointer",
                },
                "encoding": {
                    "text": {"field": "interval_label", "type": "nominal"},
                    "color": on_dark,
                    "tooltip": tooltip,
                },
            },
        ],
    }


def trend_spec(result: TrendResult, *, variable: str = "frame", title: str | None = None) -> dict[str, Any]:
    """Trend lines with Wilson bands as small multiples, legible from 2 to 60 outlets or groups.

    Up to ``MAX_COLOURED_UNITS`` units: one panel per frame (or stance label), one coloured line per
    unit. More units than colours can tell apart: one panel per unit, one coloured line per frame,
    four panels a row. Panels have a fixed size, so the chart grows with the units instead of
    squeezing them, and facet headers are never truncated.
    """
    if variable not in ("frame", "stance"):
        raise InvalidParameterError(f"variable must be 'frame' or 'stance', got {variable!r}")
    unit = "group" if result.grouping else "outlet"
    table = result.tables()["prevalence" if variable == "frame" else "stance"]
    keys = (unit, "bucket", "bucket_start", variable, "count", "n", "share", "ci_low", "ci_high")
    rows = [{k: r[k] for k in keys} for r in table]
    values = list(result.frames if variable == "frame" else dict.fromkeys(r[variable] for r in rows))
    by_unit = len(result.outlets) > MAX_COLOURED_UNITS
    panel, line = (unit, variable) if by_unit else (variable, unit)
    sort = {unit: list(result.outlets), variable: values}
    x = {"field": "bucket_start", "type": "temporal", "title": f"{result.interval.capitalize()} starting"}
    color = {"field": line, "type": "nominal", "sort": sort[line], "title": line.capitalize()}
    tooltip = [
        {"field": unit, "type": "nominal"},
        {"field": variable, "type": "nominal"},
        {"field": "bucket", "type": "nominal"},
        {"field": "count", "type": "quantitative"},
        {"field": "n", "type": "quantitative"},
        {"field": "share", "type": "quantitative", "format": ".1%"},
    ]
    y = {"field": "ci_low", "type": "quantitative", "title": "Share of articles", "scale": {"domain": [0, 1]}}
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title or ("Frame prevalence over time" if variable == "frame" else "Stance over time"),
        "data": {"values": rows},
        "facet": {
            "field": panel,
            "type": "nominal",
            "title": panel.capitalize(),
            "sort": sort[panel],
            "header": {"labelLimit": 0, "labelFontSize": 11},
        },
        "columns": 4 if by_unit else 2,
        "resolve": {"axis": {"x": "independent"}},
        "spec": {
            "width": 180 if by_unit else 320,
            "height": 90 if by_unit else 160,
            "encoding": {"x": x, "color": color},
            "layer": [
                {
                    "mark": {"type": "errorband", "opacity": 0.2},
                    "encoding": {"y": y, "y2": {"field": "ci_high"}},
                },
                {
                    "mark": {"type": "line", "point": True},
                    "encoding": {"y": {"field": "share", "type": "quantitative"}, "tooltip": tooltip},
                },
            ],
        },
        "config": {"legend": {"labelLimit": 0, "columns": 1}},
    }
