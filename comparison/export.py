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


def heatmap_spec(result: ComparisonResult, *, title: str | None = None) -> dict[str, Any]:
    """Unit (outlet or group) × frame heatmap of prevalence, each cell printed with its 95% interval.

    Legible from 2 to 60 units: cells have a fixed size (``step``), so the chart grows with the units
    instead of squeezing them; axis labels are never cut below 240 px; frames are labelled at 30°.
    """
    unit = result.unit
    rows = [
        {
            **{k: r[k] for k in (unit, "frame", "count", "n", "share", "ci_low", "ci_high")},
            "label": f"{r['share']:.0%} ({r['ci_low']:.0%}-{r['ci_high']:.0%})",
        }
        for r in result.tables()["prevalence"]
    ]
    x = {
        "field": "frame",
        "type": "nominal",
        "sort": list(result.frames),
        "title": "Frame",
        "axis": {"labelAngle": -30, "labelLimit": 240},
    }
    y = {
        "field": unit,
        "type": "nominal",
        "sort": list(result.outlets),
        "title": unit.capitalize(),
        "axis": {"labelLimit": 240},
    }
    tooltip = [
        {"field": f, "type": "quantitative" if f not in (unit, "frame") else "nominal"}
        for f in (unit, "frame", "count", "n", "share", "ci_low", "ci_high")
    ]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title or f"Frame prevalence by {unit} (95% interval in brackets)",
        "description": "Share of articles using each frame; models "
        + (", ".join(result.model_versions) or "unknown"),
        "data": {"values": rows},
        "width": {"step": 96},
        "height": {"step": 22},
        "encoding": {"x": x, "y": y},
        "layer": [
            {
                "mark": "rect",
                "encoding": {
                    "color": {
                        "field": "share",
                        "type": "quantitative",
                        "title": "Prevalence",
                        "scale": {"domain": [0, 1], "scheme": "blues"},
                    },
                    "tooltip": tooltip,
                },
            },
            {
                "mark": {"type": "text", "baseline": "middle", "fontSize": 10},
                "encoding": {
                    "text": {"field": "label", "type": "nominal"},
                    "color": {"condition": {"test": "datum.share > 0.6", "value": "white"}, "value": "black"},
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
