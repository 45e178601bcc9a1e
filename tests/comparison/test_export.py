"""CSV and Vega-Lite output."""

import csv
import io
import json
from datetime import datetime

import pytest

from comparison import ArticleRecord, compare_outlets, frame_trends, heatmap_spec, to_csv, trend_spec

FRAMES = ("military", "humanitarian")


@pytest.fixture
def records():
    out = []
    for o, k in (("A", 3), ("B", 7)):
        for i in range(10):
            out.append(
                ArticleRecord(
                    o,
                    {"military": i < k, "humanitarian": i >= k},
                    {},
                    None,
                    "neutral",
                    text=f'{o} text, with "quotes"',
                    published_at=datetime(2024, 1, 1 + i),
                    model_version="v1",
                    codebook_hash="c1",
                )
            )
    return out


def test_csv_round_trips_through_dictreader(records):
    rows = compare_outlets(records, FRAMES, min_term_count=1).tables()["prevalence"]
    text = to_csv(rows)
    back = list(csv.DictReader(io.StringIO(text)))
    assert len(back) == len(rows)
    for original, parsed in zip(rows, back, strict=True):
        assert parsed.keys() == original.keys()
        assert parsed["outlet"] == original["outlet"]
        assert int(parsed["count"]) == original["count"]
        assert float(parsed["ci_high"]) == original["ci_high"]  # full precision kept


def test_csv_handles_none_commas_quotes_and_nested():
    rows = [{"a": None, "b": 'x, "y"', "c": True}, {"a": 1.5, "d": [1, 2]}]
    back = list(csv.DictReader(io.StringIO(to_csv(rows))))
    assert back[0] == {"a": "", "b": 'x, "y"', "c": "true", "d": ""}
    assert back[1] == {"a": "1.5", "b": "", "c": "", "d": "[1, 2]"}
    assert to_csv([]) == "\r\n"  # RFC 4180 line ends


def test_heatmap_spec_encoding(records):
    result = compare_outlets(records, FRAMES, vocabulary=False)
    spec = heatmap_spec(result)
    json.dumps(spec)  # plain JSON
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v5")
    assert spec["encoding"]["x"]["field"] == "frame" and spec["encoding"]["x"]["sort"] == list(FRAMES)
    assert spec["encoding"]["y"]["field"] == "outlet"
    rect = spec["layer"][0]
    assert rect["mark"]["type"] == "rect" and rect["encoding"]["color"]["field"] == "share"
    fields = {"outlet", "frame", "share"}
    assert all(fields <= row.keys() for row in spec["data"]["values"])
    assert len(spec["data"]["values"]) == 4


def test_trend_spec_encoding(records):
    result = frame_trends(records, FRAMES, interval="day")
    spec = trend_spec(result)
    json.dumps(spec)
    assert spec["facet"]["field"] == "frame"
    assert spec["spec"]["encoding"]["x"] == {
        "field": "bucket_start",
        "type": "temporal",
        "title": "Day starting",
    }
    assert spec["spec"]["encoding"]["color"]["field"] == "outlet"
    band, line = spec["spec"]["layer"]
    assert band["encoding"]["y"]["field"] == "ci_low" and band["encoding"]["y2"]["field"] == "ci_high"
    assert line["encoding"]["y"]["field"] == "share"
    assert {r["bucket_start"] for r in spec["data"]["values"]} >= {"2024-01-01", "2024-01-10"}
    stance = trend_spec(result, variable="stance")
    assert stance["facet"]["field"] == "stance"
    with pytest.raises(ValueError):
        trend_spec(result, variable="outlet")


def test_all_tables_are_plain_json(records):
    from comparison import outlet_profile

    with_events = [
        type(r)(
            r.outlet,
            r.frames,
            r.shares,
            r.dominant_frame,
            r.stance,
            r.text,
            r.published_at,
            f"e{i % 2}",
            r.model_version,
            r.codebook_hash,
        )
        for i, r in enumerate(records)
    ]
    results = [
        compare_outlets(with_events, FRAMES, min_term_count=1),
        compare_outlets(
            with_events, FRAMES, group_of={r.outlet: r.outlet[:1] for r in records}, group_by="x"
        ),
        compare_outlets(with_events, FRAMES, stratify_by_event=True),
        frame_trends(with_events, FRAMES),
        outlet_profile(with_events, FRAMES),
    ]
    for result in results:
        payload = {"meta": result.metadata(), "tables": result.tables()}
        assert json.loads(json.dumps(payload, allow_nan=False)) == payload
        for rows in result.tables().values():
            # scalars, or flat lists of scalars (a group's outlets, a cluster's ids): CSV cells hold JSON
            for row in rows:
                for v in row.values():
                    assert type(v) in (str, int, float, bool, type(None)) or (
                        type(v) is list and all(type(x) in (str, int) for x in v)
                    )


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_csv_neutralises_formula_cells(text):
    """OWASP CSV injection: a text cell starting with a formula trigger is quoted with an apostrophe."""
    row = next(csv.DictReader(io.StringIO(to_csv([{"title": text, "outlet": "ok-outlet"}]))))
    assert row == {"title": "'" + text, "outlet": "ok-outlet"}


def test_csv_keeps_negative_numbers_as_numbers():
    row = next(csv.DictReader(io.StringIO(to_csv([{"z": -2.5, "n": -3, "label": "a-b"}]))))
    assert row == {"z": "-2.5", "n": "-3", "label": "a-b"}
