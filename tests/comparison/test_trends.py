"""Time buckets (ISO weeks across a year boundary) and the event-stratified outlet profile."""

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import StratifiedTable

from comparison import (
    ArticleRecord,
    InvalidParameterError,
    NotEnoughDataError,
    bucket_of,
    frame_trends,
    outlet_profile,
    wilson_interval,
)

FRAMES = ("military", "humanitarian")


def rec(outlet, when, military, *, event=None, stance="neutral"):
    return ArticleRecord(
        outlet,
        {"military": military, "humanitarian": not military},
        {"military": 0.5 if military else 0.0},
        None,
        stance,
        published_at=when,
        event=event,
        model_version="v1",
        codebook_hash="c1",
    )


@pytest.mark.parametrize(
    "when,label,start",
    [
        (datetime(2020, 12, 31), "2020-W53", "2020-12-28"),
        (datetime(2021, 1, 3, 23, 59), "2020-W53", "2020-12-28"),  # Sunday still belongs to 2020-W53
        (datetime(2021, 1, 4), "2021-W01", "2021-01-04"),
        (datetime(2024, 12, 30), "2025-W01", "2024-12-30"),  # Monday of ISO 2025-W01
        (datetime(2025, 1, 5, 12, tzinfo=timezone(timedelta(hours=14))), "2025-W01", "2024-12-30"),
    ],
)
def test_iso_week_buckets_across_year_boundary(when, label, start):
    bucket, first_day = bucket_of(when, "week")
    assert bucket == label
    assert first_day.isoformat() == start


def test_day_and_month_buckets_use_utc():
    late = datetime(2024, 3, 1, 1, 30, tzinfo=timezone(timedelta(hours=5)))  # 2024-02-29 20:30 UTC
    assert bucket_of(late, "day")[0] == "2024-02-29"
    assert bucket_of(late, "month") == ("2024-02", late.date().replace(month=2, day=1))
    with pytest.raises(InvalidParameterError):
        bucket_of(late, "year")


def test_frame_trends_counts_and_intervals():
    records = [
        rec("A", datetime(2020, 12, 29), True),
        rec("A", datetime(2021, 1, 2), True),
        rec("A", datetime(2021, 1, 3), False),
        rec("A", datetime(2021, 1, 5), False, stance="favor"),
        rec("B", datetime(2021, 1, 6), True),
        rec("B", None, True),
    ]
    result = frame_trends(records, FRAMES, interval="week", min_articles=2)
    assert result.buckets == ("2020-W53", "2021-W01")
    rows = {(r["outlet"], r["bucket"], r["frame"]): r for r in result.tables()["prevalence"]}
    first = rows[("A", "2020-W53", "military")]
    assert (first["count"], first["n"], first["bucket_start"]) == (2, 3, "2020-12-28")
    assert (first["ci_low"], first["ci_high"]) == pytest.approx(wilson_interval(2, 3))
    assert first["mean_sentence_share"] == pytest.approx(1 / 3)
    assert ("B", "2020-W53", "military") not in rows  # empty cells give no row
    stance = {(r["outlet"], r["bucket"], r["stance"]): r["count"] for r in result.tables()["stance"]}
    assert stance[("A", "2021-W01", "favor")] == 1
    codes = [w.code for w in result.warnings]
    assert "missing_published_at" in codes and "small_sample" in codes
    assert frame_trends(records, FRAMES, interval="month").buckets == ("2020-12", "2021-01")
    assert "2020-W53" in result.summary()


def test_frame_trends_refuses_undated_input():
    with pytest.raises(NotEnoughDataError):
        frame_trends([rec("A", None, True)], FRAMES)
    with pytest.raises(InvalidParameterError):
        frame_trends([rec("A", datetime(2021, 1, 1), True)], FRAMES, interval="hour")


def _profile_records():
    day = datetime(2024, 5, 1)
    plan = {  # event -> outlet -> (n_military, n_articles)
        "atacms": {"RT": (9, 10), "Guardian": (4, 10), "Fox": (6, 10)},
        "grain": {"RT": (5, 8), "Guardian": (1, 12), "Fox": (2, 10)},
        "dam": {"Guardian": (3, 6)},
    }
    records = []
    for event, outlets in plan.items():
        for outlet, (k, n) in outlets.items():
            records += [rec(outlet, day, i < k, event=event) for i in range(n)]
    return records + [rec("RT", day, True, event=None)]


def test_outlet_profile_is_stratified_by_event():
    result = outlet_profile(_profile_records(), FRAMES, outlet="RT")
    assert result.outlets == ("RT",)
    assert result.events == ("atacms", "dam", "grain")
    per_event = {(r["event"], r["frame"]): (r["count"], r["n"]) for r in result.tables()["prevalence"]}
    assert per_event[("atacms", "military")] == (9, 10)
    assert ("dam", "military") not in per_event
    military = next(s for s in result.stratified if s.frame == "military")
    tables = [np.array([[9, 1], [10, 10]]), np.array([[5, 3], [3, 19]])]  # "dam" has no RT: left out
    reference = StratifiedTable(tables)
    assert military.n_events == 2
    assert military.odds_ratio == pytest.approx(reference.oddsratio_pooled)
    assert military.pvalue == pytest.approx(reference.test_null_odds().pvalue)
    assert military.confidence_interval() == pytest.approx(reference.oddsratio_pooled_confint())
    assert military.pvalue_adjusted >= military.pvalue
    assert any(w.code == "missing_event" for w in result.warnings)
    with pytest.raises(InvalidParameterError):
        military.confidence_interval(0.9)


def test_profile_of_every_outlet_and_unknown_outlet():
    result = outlet_profile(_profile_records(), FRAMES)
    assert result.outlets == ("Fox", "Guardian", "RT")
    assert {s.outlet for s in result.stratified} == {"Fox", "Guardian", "RT"}
    with pytest.raises(NotEnoughDataError):
        outlet_profile(_profile_records(), FRAMES, outlet="BBC")
