"""Groups, syndicated copies, event strata and honest small samples on a collection of real-sized shape."""

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.contingency_tables import StratifiedTable

from comparison import ArticleRecord, compare_outlets, prevalence_test
from comparison.strata import stratified_test
from tests.collection import EVENTS, OUTLETS, WIRE_REPRINTS, articles

FRAMES = ("humanitarian", "escalation", "economic")
TYPE = {k: kind for k, (kind, _) in OUTLETS.items()}


def record(item):
    kind = TYPE[item["outlet"]]
    humanitarian = kind == "independent" or item["outlet"] == "union-daily"
    escalation = kind == "state-aligned" or item["outlet"] == "civic-herald"
    frames = {"humanitarian": humanitarian, "escalation": escalation, "economic": item["event"] == EVENTS[2]}
    return ArticleRecord(
        item["outlet"],
        frames,
        {f: 0.4 * p for f, p in frames.items()},
        "humanitarian" if humanitarian else "escalation",
        "favor" if kind == "independent" else "against",
        text=item["text"],
        event=item["event"],
        model_version="v1",
        codebook_hash="c1",
        article_id=item["id"],
    )


@pytest.fixture
def collection():
    return [record(a) for a in articles()]


def one_event(collection, event=EVENTS[0]):
    return [r for r in collection if r.event == event]


def test_one_article_per_outlet_gets_advice_not_fake_statistics(collection):
    result = compare_outlets(one_event(collection), FRAMES)
    assert "group outlets by an attribute" in result.metadata()["advice"].lower()
    assert result.frame_tests == () and result.stance_test is None  # every permutation gives the same X2
    codes = [w.code for w in result.warnings]
    assert codes.count("small_sample") == 1 and "tests_not_supported" in codes  # grouped, not 12 warnings
    small = next(w for w in result.warnings if w.code == "small_sample")
    assert sorted(small.items) == sorted(OUTLETS)
    assert result.vocabulary is None or result.vocabulary.terms == ()  # no terms from single articles
    pairs = result.tables()["divergence"]
    assert len(pairs) == 12 * 11 // 2  # each unordered pair once, no outlet with itself
    assert all(r["outlet_a"] < r["outlet_b"] and r["ci_low"] is None for r in pairs)


def test_groups_are_tested_instead_of_outlets(collection):
    records = one_event(collection)
    result = compare_outlets(records, FRAMES, group_of=TYPE, group_by="type", syndicated="off")
    tables = result.tables()
    assert [r["group"] for r in tables["groups"]] == ["independent", "state-aligned"]
    assert tables["groups"][0]["outlets"] == sorted(k for k, t in TYPE.items() if t == "independent")
    assert {"group", "frame"} <= tables["prevalence"][0].keys() and "outlet" not in tables["prevalence"][0]
    assert result.metadata()["group_by"] == "type"
    assert result.metadata()["advice"] is None  # 6 articles per group: enough for min_articles=5
    humanitarian = next(t for t in result.frame_tests if t.frame == "humanitarian")
    counts = np.array([6, 1])  # independent all, state-aligned only union-daily
    reference = prevalence_test(counts, np.array([6, 6]))
    assert humanitarian.statistic == pytest.approx(reference.statistic)
    assert humanitarian.pvalue == pytest.approx(reference.pvalue)
    assert humanitarian.method == "fisher-exact"
    assert humanitarian.pvalue == pytest.approx(stats.fisher_exact([[6, 0], [1, 5]]).pvalue)
    assert tables["frame_tests"][0]["cramers_v"] is not None  # 6 articles per group support V
    assert len(tables["divergence"]) == 1 and tables["divergence"][0]["ci_low"] is not None


def test_wire_story_is_one_cluster_counted_once_per_group(collection):
    talks = one_event(collection, EVENTS[1])
    result = compare_outlets(talks, FRAMES, group_of=TYPE, group_by="type")
    (cluster,) = result.tables()["syndication"]
    assert sorted(cluster["outlets"]) == sorted(WIRE_REPRINTS)  # verbatim, trimmed, intro added, reworded
    assert sorted(cluster["article_ids"]) == sorted(f"{o}/{EVENTS[1]}" for o in WIRE_REPRINTS)
    assert cluster["groups"] == ["independent"] and cluster["min_similarity"] >= 0.6
    groups = {r["group"]: r for r in result.tables()["groups"]}
    assert groups["independent"]["n_articles"] == 6 and groups["independent"]["n_effective"] == 3
    assert groups["state-aligned"]["n_effective"] == 6
    every_copy = compare_outlets(talks, FRAMES, group_of=TYPE, group_by="type", syndicated="each")
    assert every_copy.n_effective == (6, 6) and every_copy.syndication.clusters
    assert compare_outlets(talks, FRAMES, syndicated="off").syndication is None
    per_outlet = compare_outlets(talks, FRAMES)  # once per outlet: each reprint is its outlet's only copy
    assert per_outlet.n_effective == per_outlet.n_articles


def test_across_events_tests_are_stratified_by_event(collection):
    result = compare_outlets(collection, FRAMES, group_of=TYPE, group_by="type", stratify_by_event=True)
    tables = result.tables()
    assert result.metadata()["events"] == sorted(EVENTS) and result.metadata()["stratified_by"] == "event"
    escalation = next(t for t in result.frame_tests if t.frame == "escalation")
    assert escalation.method in ("cochran-mantel-haenszel-general", "monte-carlo-cochran-mantel-haenszel")
    # reference: statsmodels' CMH on the per-event 2 x 2 tables of the records actually used
    used = compare_outlets(collection, FRAMES, group_of=TYPE, group_by="type", syndicated="off").n_effective
    assert used == (18, 18)
    coverage = {(r["group"], r["event"]): r for r in tables["coverage"]}
    assert coverage[("state-aligned", EVENTS[0])]["n_outlets_covering"] == 6
    assert coverage[("independent", EVENTS[1])]["n_articles"] == 3  # the wire story counted once
    assert {r["event"] for r in tables["event_prevalence"]} == set(EVENTS)
    assert tables["frame_tests"][0]["n_events"] == 3 and tables["frame_tests"][0]["cramers_v"] is None


def test_stratified_test_matches_statsmodels_and_scipy():
    rng = np.random.default_rng(3)
    tables = [rng.integers(4, 25, (2, 2)) for _ in range(5)]
    ours = stratified_test(tables)
    reference = StratifiedTable(tables).test_null_odds(correction=False)
    assert ours.statistic == pytest.approx(reference.statistic) and ours.pvalue == pytest.approx(
        reference.pvalue
    )
    table = rng.integers(6, 30, (3, 4))
    single = stratified_test([table])
    pearson = stats.chi2_contingency(table, correction=False)
    n = table.sum()
    assert single.statistic == pytest.approx(pearson.statistic * (n - 1) / n) and single.df == pearson.dof


def test_stratified_test_has_power_with_one_article_per_outlet_and_event():
    # six outlets per group, one article each per event: within each event group A uses the frame
    tables = [np.array([[5, 1], [1, 5]]) for _ in range(4)]
    result = stratified_test(tables, n_resamples=1999)
    assert result.method == "cochran-mantel-haenszel-general" and result.pvalue < 0.001
    sparse = stratified_test([np.array([[1, 0], [0, 1]]) for _ in range(4)], n_resamples=1999)
    assert sparse.method == "monte-carlo-cochran-mantel-haenszel"  # summed expected counts of 2
    assert sparse.pvalue == pytest.approx(2 / 16, abs=0.02)  # exact: all four strata agree, either way


def test_divergence_bootstrap_interval_contains_the_estimate(collection):
    result = compare_outlets(collection, FRAMES, group_of=TYPE, group_by="type", n_bootstrap=300)
    (pair,) = result.divergence.pairs
    assert pair.ci_low <= pair.jsd <= pair.ci_high
    again = compare_outlets(
        list(reversed(collection)), FRAMES, group_of=TYPE, group_by="type", n_bootstrap=300
    )
    assert again.divergence.pairs[0].ci_low == pair.ci_low  # seeded and order-independent


def test_outlets_without_the_attribute_are_left_out_with_one_warning(collection):
    partial = {k: v for k, v in TYPE.items() if k not in ("eastern-wire", "civic-herald")}
    result = compare_outlets(one_event(collection), FRAMES, group_of=partial, group_by="type")
    (missing,) = [w for w in result.warnings if w.code == "missing_group"]
    assert missing.items == ("civic-herald", "eastern-wire") and result.n == 10
