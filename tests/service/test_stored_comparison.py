"""Stored comparisons counted in SQL give the per-article path's numbers (service/stored_comparison.py).

The old path reads one ``ArticleRecord`` per article (``service.analysis.stored_records``); the new one
reads weighted rows, ingest-time clusters and a text sample (``stored_counts``). Both feed
``compare_outlets``; every table must agree (floats to 1e-9: sums in another order), on SQLite and
PostgreSQL, for a small real collection and a larger synthetic one with many syndicated copies.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from classifiers import ArticleClassification, FrameResult, StanceResult
from comparison import compare_counts, compare_outlets
from service.analysis import stored_records
from service.storage.articles import ingest_articles
from service.storage.classifications import store_classifications
from service.storage.signatures import sign_articles
from service.storage.text_sample import sample_text_ids
from service.stored_comparison import stored_counts
from tests.collection import articles

STANCES = ("favor", "against", "neutral", None)
PREVALENCE = np.array([0.5, 0.3, 0.2, 0.1, 0.05, 0.05, 0.03, 0.02, 0.02, 0.01, 0.01, 0.01])
TYPES = {"o-a": "tabloid", "o-b": "tabloid", "o-c": "broadsheet", "o-d": "broadsheet", "o-e": "wire"}


def synthetic(n: int, classifier: Any, seed: int = 3) -> tuple[list[dict], list[ArticleClassification]]:
    """``n`` articles over six outlets (one without a type) and three events; every 7th copies an
    earlier text of the same event, so clusters span outlets and groups. Labels are random."""
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(400)]
    outlets = [*TYPES, "o-untyped"]
    keys = classifier.codebook.frame_keys
    model = classifier.model_ref
    items, results, texts_by_event = [], [], {}
    for i in range(n):
        outlet, event = outlets[int(rng.integers(len(outlets)))], f"ev-{int(rng.integers(3))}"
        earlier = texts_by_event.setdefault(event, [])
        if i % 7 == 3 and earlier:
            text = earlier[int(rng.integers(len(earlier)))]
        else:
            text = " ".join(rng.choice(words, size=60)) + f" story {i}."
            earlier.append(text)
        items.append(
            {
                "outlet": outlet,
                "outlet_attributes": {"type": TYPES[outlet]} if outlet in TYPES else {},
                "event": event,
                "title": f"Story {i}",
                "text": text,
                "url": f"https://{outlet}.example/{i}",
                "published_at": datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=i),
                "language": "en",
            }
        )
        present = rng.random(len(keys)) < PREVALENCE[: len(keys)]
        shares = np.where(present, rng.uniform(0.05, 0.6, len(keys)), 0.0)
        frames = tuple(
            FrameResult(k, k, 0.5, bool(p), float(s)) for k, p, s in zip(keys, present, shares, strict=True)
        )
        dominant = keys[int(np.argmax(shares))] if present.any() else None
        label = STANCES[int(rng.integers(4))]
        stance = StanceResult(classifier.codebook.default_target, label, {})
        results.append(ArticleClassification("ok", 5, frames, dominant, stance, model, "en"))
    return items, results


def store_synthetic(app, n: int, classifier: Any) -> None:
    items, results = synthetic(n, classifier)
    with app.extensions["framescope"]["write_sessionmaker"]() as session:
        ids = ingest_articles(session, items, create_missing=True).ids
        sign_articles(session, ids)
        store_classifications(session, list(zip(ids, results, strict=True)))
        session.commit()


def assert_same(old: Any, new: Any, path: str = "") -> None:
    if isinstance(old, dict):
        assert old.keys() == new.keys(), path
        for key in old:
            assert_same(old[key], new[key], f"{path}.{key}")
    elif isinstance(old, list | tuple):
        assert len(old) == len(new), path
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            assert_same(a, b, f"{path}[{i}]")
    elif isinstance(old, float) and not isinstance(new, bool):
        assert math.isclose(old, new, rel_tol=1e-9, abs_tol=1e-12), f"{path}: {old} != {new}"
    else:
        assert old == new, f"{path}: {old!r} != {new!r}"


def both_paths(app, *, group_by=None, syndicated="once", stratify=False, event=None, target=None):
    """``(old tables, new tables, new selection)`` for the same request."""
    options = dict(n_resamples=199, min_articles=3, syndicated=syndicated)
    with app.test_request_context("/"):
        session = app.extensions["framescope"]["sessionmaker"]()
        try:
            old_sel = stored_records(session, event=event, target=target)
            old = compare_outlets(
                old_sel.records,
                old_sel.frame_keys,
                group_of=old_sel.group_of(group_by),
                group_by=group_by,
                stratify_by_event=stratify,
                syndication_source=old_sel.syndication_source,
                **options,
            )
            new_sel = stored_counts(
                session, group_by=group_by, syndicated=syndicated, event=event, target=target
            )
            new = compare_counts(
                new_sel.counts,
                new_sel.frame_keys,
                group_of=new_sel.group_of(group_by),
                group_by=group_by,
                stratify_by_event=stratify,
                syndication=new_sel.syndication,
                term_counts=new_sel.term_counts,
                **options,
            )
        finally:
            session.close()
    assert old_sel.syndication_source == "records"  # every article signed: the old path used ingest clusters
    old_tables, new_tables = old.tables(), new.tables()
    # Stored answers list clusters largest first (a page of them; here all) with per-unit counts.
    old_tables["syndication"].sort(key=lambda row: (-row["n_articles"], row["cluster"]))
    units = new_tables.pop("syndication_units", [])
    if syndicated != "off":
        assert sum(row["n_articles"] for row in units) == sum(
            r["n_articles"] for r in old_tables["syndication"]
        )
    return old_tables, new_tables, new_sel, old.metadata(), new.metadata()


CASES = {
    "one event": dict(event="ev-1"),
    "groups, once": dict(group_by="type", event=[]),
    "events stratified, groups": dict(group_by="type", stratify=True, event=[]),
    "outlets stratified, each copy": dict(stratify=True, event=[], syndicated="each"),
    "copies not looked for": dict(event=[], syndicated="off"),
    "stance target": dict(event="ev-2", target="__target__"),
}


@pytest.mark.parametrize("case", CASES)
def test_counted_in_sql_equals_one_record_per_article(app, classifier, case):
    """Every table equal. The text sample is set above every unit's size, so distinctive terms read
    every text too (test_sampled_terms_differ_only_for_units_above_the_sample covers the sample)."""
    store_synthetic(app, 420, classifier)
    app.config["VOCABULARY_SAMPLE"] = 10**6
    kwargs = dict(CASES[case])
    if kwargs.get("target") == "__target__":
        kwargs["target"] = classifier.codebook.default_target
    old, new, selection, old_meta, new_meta = both_paths(app, **kwargs)
    assert_same(old, new)
    for key in ("n_articles", "n_effective", "unit", "syndication_method", "outlets", "events"):
        assert old_meta.get(key) == new_meta.get(key), key
    n_articles = old_meta["n_articles"]
    assert len(selection.counts) < n_articles  # fewer rows than articles: the point of counting in SQL
    sums, n = selection.counts.share_sums, selection.counts.n[:, None]
    assert (sums >= 0).all() and (sums <= n).all()  # copies subtracted: no rounding residue below 0
    if kwargs.get("syndicated", "once") != "off":
        assert old["syndication"], "the data set must have copies for this test to mean something"
    if kwargs.get("syndicated", "once") == "once" and kwargs.get("group_by"):
        assert new_meta["n_effective"] < n_articles  # copies in two outlets of one group count once


def test_small_real_collection_with_wire_copies(client, app):
    """The test collection (real classifier labels, one wire story reprinted by four outlets)."""
    app.config["VOCABULARY_SAMPLE"] = 10**6
    batch = [{k: v for k, v in a.items() if k != "id"} for a in articles()]
    assert client.post("/v1/articles/batch?create_missing=true", json=batch).status_code == 201
    old, new, *_ = both_paths(app, event=[], group_by="type", stratify=True)
    assert_same(old, new)
    assert old["syndication"] and old["distinctive_terms"] and old["coverage"]
    old, new, *_ = both_paths(app, event="kessa-ceasefire-talks")
    assert_same(old, new)


def test_sampled_terms_differ_only_for_units_above_the_sample(app, classifier):
    """Terms legitimately differ when a unit has more articles than ``VOCABULARY_SAMPLE``: the stored
    comparison reads a seeded sample of its texts, not all of them. Everything else still agrees,
    and the sample is the same on every run."""
    store_synthetic(app, 420, classifier)
    app.config["VOCABULARY_SAMPLE"] = 25
    old, new, selection, *_ = both_paths(app, event=[])
    note = selection.notes["vocabulary_sample"]
    assert note["max_texts_per_unit"] == 25 and note["n_texts"] == 25 * len(old["outlets"])
    assert_same(
        {k: v for k, v in old.items() if k != "distinctive_terms"},
        {k: v for k, v in new.items() if k != "distinctive_terms"},
    )
    assert old["distinctive_terms"] != new["distinctive_terms"]
    again = both_paths(app, event=[])[2].notes["vocabulary_sample"]
    assert again["hash"] == note["hash"]


def test_endpoint_reports_the_sample_and_how_it_counted(client, app, classifier):
    store_synthetic(app, 140, classifier)
    body = client.get("/v1/comparisons?events=all&group_by=type").get_json()
    meta = body["metadata"]
    assert meta["syndication_method"] == "stored-at-ingest" and meta["n_unsigned"] == 0
    assert "syndication_note" not in meta
    sample = meta["vocabulary_sample"]
    assert sample["max_texts_per_unit"] == app.config["VOCABULARY_SAMPLE"] and sample["n_texts"] > 0
    assert meta["n_aggregated_rows"] > 0 and 0 < meta["n_articles"] < 140  # o-untyped left out
    assert {w["code"] for w in body["tables"]["warnings"]} >= {"missing_group"}  # o-untyped left out


def test_sample_prefilter_picks_the_same_texts(app, classifier):
    """Ranking only keys under a per-unit limit (computed from unit sizes) must not change the sample."""
    store_synthetic(app, 420, classifier)
    with app.test_request_context("/"):
        session = app.extensions["framescope"]["sessionmaker"]()
        try:
            version = classifier.version
            full = sample_text_ids(session, version, per_unit=5, event=[])
            sizes: dict[int, int] = {}
            for _, unit in sample_text_ids(session, version, per_unit=10**6, event=[]):
                sizes[unit] = sizes.get(unit, 0) + 1
            assert min(sizes.values()) > 15  # the limit engages: 3 * 5 / size < 1 for every unit
            assert sample_text_ids(session, version, per_unit=5, unit_sizes=sizes, event=[]) == full
            inflated = {u: n * 50 for u, n in sizes.items()}  # limits too tight: too few, ranked in full
            assert sample_text_ids(session, version, per_unit=5, unit_sizes=inflated, event=[]) == full
        finally:
            session.close()


def test_syndication_table_is_a_page_of_the_largest_clusters(client, app, classifier):
    """The answer lists at most ``syndication_limit`` clusters, largest first, with totals and per-unit
    counts that do not depend on the page; paging with ``next_offset`` gives every cluster once."""
    store_synthetic(app, 420, classifier)
    url = "/v1/comparisons?events=all&group_by=type&min_articles=1"
    everything = client.get(f"{url}&syndication_limit=10000").get_json()
    full = everything["tables"]["syndication"]
    summary = everything["metadata"]["syndication_summary"]
    assert summary["n_clusters"] == len(full) > 6 and summary["next_offset"] is None
    assert summary["n_clustered_articles"] == sum(row["n_articles"] for row in full)
    assert [(-r["n_articles"], r["cluster"]) for r in full] == sorted(
        (-r["n_articles"], r["cluster"]) for r in full
    )
    units = everything["tables"]["syndication_units"]
    assert {row["group"] for row in units} <= {"tabloid", "broadsheet", "wire"}
    assert sum(row["n_articles"] for row in units) == summary["n_clustered_articles"]
    n_grouped = everything["metadata"]["n_articles"]  # copies within a group are what `once` drops
    assert n_grouped - everything["metadata"]["n_effective"] == sum(row["n_copies"] for row in units)

    pages, offset = [], 0
    while offset is not None:
        body = client.get(f"{url}&syndication_limit=3&syndication_offset={offset}").get_json()
        assert len(body["tables"]["syndication"]) <= 3
        assert body["metadata"]["syndication_summary"]["n_clusters"] == summary["n_clusters"]
        assert body["tables"]["prevalence"] == everything["tables"]["prevalence"]  # statistics unchanged
        pages += body["tables"]["syndication"]
        offset = body["metadata"]["syndication_summary"]["next_offset"]
    assert pages == full


@pytest.mark.parametrize("query", ["syndication_limit=-1", "syndication_limit=10001", "syndication_offset=x"])
def test_bad_syndication_page_is_a_problem_naming_the_field(client, app, classifier, query):
    store_synthetic(app, 30, classifier)
    response = client.get(f"/v1/comparisons?events=all&{query}")
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert query.split("=")[0] in str(response.get_json()["errors"])


@pytest.mark.parametrize("group_by", [None, "type"])
def test_copies_from_cluster_members_match_the_window_ranks(app, classifier, group_by):
    """The copies and each unit × cluster's first article come from the cluster members (no query of
    their own): the same ids as ranking every clustered article by id within its unit, and the same
    term sample as asking the database for each candidate cluster's lowest id."""
    from service.storage.copy_counts import copy_article_ids, first_of_clusters
    from service.storage.label_counts import fetch_cluster_members, outlet_table
    from service.storage.tables import Article, ArticleSignature

    store_synthetic(app, 420, classifier)
    with app.test_request_context("/"):
        session = app.extensions["framescope"]["sessionmaker"]()
        try:
            outlets = outlet_table(session)
            unit_of = None
            if group_by:
                unit_of = {oid: o["attributes"].get(group_by) or None for oid, o in outlets.items()}
            members = fetch_cluster_members(session, classifier.version, unit_of=unit_of, event=[])
            rows = session.execute(
                select(Article.id, Article.outlet_id, ArticleSignature.cluster_id)
                .join(ArticleSignature, ArticleSignature.article_id == Article.id)
                .where(ArticleSignature.cluster_id.is_not(None))
                .order_by(Article.id)
            ).all()
            seen, expected = set(), []
            for aid, oid, cluster in rows:
                unit = oid if unit_of is None else unit_of[oid]
                if unit is None:
                    continue
                if (unit, cluster) in seen:
                    expected.append(aid)
                seen.add((unit, cluster))
            copies = copy_article_ids(members, unit_of)
            assert copies == expected and (group_by is None or len(copies) > 5)  # an outlet: no copies
            firsts = first_of_clusters(members, unit_of)
            for per_unit in (5, 10**6):
                queried = sample_text_ids(
                    session, classifier.version, per_unit=per_unit, unit_of=unit_of, event=[]
                )
                assert queried == sample_text_ids(
                    session,
                    classifier.version,
                    per_unit=per_unit,
                    unit_of=unit_of,
                    first_of_clusters=firsts,
                    event=[],
                )
        finally:
            session.close()
