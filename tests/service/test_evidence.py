"""/v1/evidence: the articles behind a heatmap cell, with evidence offsets that point into their text."""

from __future__ import annotations

import pytest

from tests.service.conftest import assert_problem
from tests.service.test_comparisons import EVENT, SAMPLES, URL, get_json, stored  # noqa: F401 - fixture


def prevalence(client, query=""):
    tables = get_json(client, f"{URL}?{query}")["tables"]
    return tables["prevalence"]


def test_each_cell_lists_the_articles_it_counts_with_their_evidence(client, stored):  # noqa: F811
    cells = [row for row in prevalence(client) if row["count"] > 0]
    assert cells
    for row in cells:
        body = get_json(client, f"/v1/evidence?events={EVENT}&outlets={row['outlet']}&frame={row['frame']}")
        assert body["n_articles"] == row["count"] == len(body["articles"])
        assert body["frame"] == row["frame"] and body["model"]["version"]
        for article in body["articles"]:
            assert article["outlet"] == row["outlet"] and article["event"] == EVENT
            assert article["evidence"], article["title"]  # a present frame has sentences behind it
            for sentence in article["evidence"]:
                source = article[sentence["field"]]
                assert source[sentence["start"] : sentence["end"]] == sentence["sentence"]


def test_a_group_cell_reads_the_groups_outlets(client, stored):  # noqa: F811
    rows = prevalence(client, "group_by=type")
    row = next(r for r in rows if r["group"] == "state-aligned" and r["count"] > 0)
    url = f"/v1/evidence?events={EVENT}&group_by=type&group=state-aligned&frame={row['frame']}"
    body = get_json(client, url)
    assert body["outlets"] == ["eastern-wire"]
    assert body["n_articles"] == row["count"]
    assert {a["outlet"] for a in body["articles"]} == {"eastern-wire"}
    empty = get_json(client, f"/v1/evidence?group_by=type&group=no-such-type&frame={row['frame']}")
    assert empty["n_articles"] == 0 and empty["articles"] == []


def test_stance_bars_and_limit(client, stored):  # noqa: F811
    stance = get_json(client, f"{URL}")["tables"]["stance"]
    row = next(r for r in stance if r["count"] > 0 and r["stance"] != "neutral")
    url = f"/v1/evidence?events=all&outlets={row['outlet']}&stance={row['stance']}&limit=1"
    body = get_json(client, url)
    assert body["n_articles"] == row["count"] and len(body["articles"]) == 1
    assert body["articles"][0]["stance"]["label"] == row["stance"]


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("outlets=eastern-wire", {"frame"}),
        ("frame=no-such-frame", {"frame"}),
        ("frame=economic-cost&group=x", {"group_by"}),
        ("frame=economic-cost&group_by=type", {"group"}),
        ("frame=economic-cost&limit=0", {"limit"}),
        ("stance=maybe", {"stance"}),
        ("frame=economic-cost&model_version=never-stored", {"model_version"}),
    ],
)
def test_bad_queries_are_problems_naming_the_field(client, stored, query, fields):  # noqa: F811
    assert_problem(client.get(f"/v1/evidence?{query}"), 422, fields)


def test_unknown_event_is_404(client):
    assert_problem(client.get("/v1/evidence?events=nope&frame=economic-cost"), 404)
