"""Uploads sized from the server's limits, pages followed, exports streamed, answers as DataFrames."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from framescope import Limits, ValidationError
from tests.client.conftest import EVENT, make_client, sample_articles
from tests.conftest import make_test_app
from tests.service.conftest import make_article


@pytest.fixture
def small_app(database_url):
    """A server with tight limits: 3 articles per batch, 4 items per page, 6 kB bodies."""
    app = make_test_app(database_url, MAX_BATCH_ITEMS=3, PAGE_SIZE_MAX=4, MAX_CONTENT_LENGTH=6_000)
    yield app
    app.extensions["framescope"]["engine"].dispose()


def test_upload_stores_once_and_reports_duplicates(fs):
    articles = sample_articles()
    first = fs.articles.upload(articles, create_missing=True)
    assert (first.n_items, first.n_created, first.n_existing) == (20, 20, 0)
    again = fs.articles.upload(articles, create_missing=True)
    assert (again.n_created, again.n_existing) == (0, 20)
    assert again.ids == first.ids
    assert list(again.frame()["index"]) == list(range(20))


def test_batches_follow_the_servers_limits(small_app):
    client, transport = make_client(small_app)
    assert client.limits() == Limits(
        max_batch_items=3, max_content_length=6_000, page_size_max=4, rate_limit="600 per minute"
    )
    articles = sample_articles()
    result = client.articles.upload(articles, create_missing=True)
    assert result.n_created == 20 and result.ids == sorted(result.ids)
    posts = transport.sent("POST", "/v1/articles/batch")
    assert len(posts) >= 7
    assert all(len(json.loads(r.content)) <= 3 and len(r.content) <= 6_000 for r in posts)
    listed = client.articles.list()  # 20 articles, 4 per page: the cursor is followed
    assert len(listed) == 20 and listed["id"].is_unique
    assert len(transport.sent("GET", "/v1/articles")) == 5
    assert len(client.outlets.list()) == 4  # every list asks for the server's page size, no more


def test_a_batch_the_server_finds_too_large_is_split(small_app):
    client, transport = make_client(small_app)
    client._limits = Limits(max_content_length=10**9, max_batch_items=3)  # the client believes more fits
    words = " ".join(f"word{n}" for n in range(300))  # ~2.5 kB per article: 3 are over 6 kB
    items = [make_article(i, text=f"Article {i} says {words}.") for i in range(6)]
    result = client.articles.upload(items, create_missing=True)
    assert result.n_created == 6
    statuses = [len(json.loads(r.content)) for r in transport.sent("POST", "/v1/articles/batch")]
    assert max(statuses) == 3 and min(statuses) < 3  # a refused batch was halved and resent


def test_an_invalid_item_names_its_position_in_the_whole_upload(small_app):
    client, _ = make_client(small_app)
    items = [make_article(i) for i in range(7)]
    items[5]["text"] = "   "
    with pytest.raises(ValidationError) as caught:
        client.articles.upload(items, create_missing=True)
    assert [(e["index"], e["field"]) for e in caught.value.errors] == [(5, "text")]
    assert len(client.articles.list()) == 3  # the first batch was stored; re-running is harmless


def test_dataframes_are_uploaded_without_empty_cells(fs):
    frame = pd.DataFrame(sample_articles()[:4]).drop(columns=["outlet_attributes"])
    frame.loc[1, "url"] = None
    frame["published_at"] = pd.to_datetime(frame["published_at"])
    assert fs.articles.upload(frame, create_missing=True).n_created == 4
    stored = fs.articles.list(outlet=frame.loc[0, "outlet"])
    assert not stored.empty and stored["published_at"].notna().all()


def test_comparison_tables_are_dataframes(fs, stored):
    result = fs.event_comparison(EVENT, group_by="type")
    assert set(result["groups"]["group"]) == {"independent", "state-aligned"}
    prevalence = result.prevalence
    assert {"group", "frame", "share", "ci_low", "ci_high"} <= set(prevalence.columns)
    assert len(prevalence) == 2 * len(result.metadata["frames"])
    assert result.metadata["unit"] == "group"
    assert "prevalence: 16 rows" in result.summary()
    pooled = fs.comparisons("all", group_by="type")
    assert "coverage" in pooled and not pooled.coverage.empty
    trend = fs.trends(interval="month", event=EVENT)
    assert {"outlet", "frame", "share"} <= set(trend.prevalence.columns)
    profile = fs.outlet_profile("eastern-wire")
    assert "stratified_tests" in profile
    spec = fs.chart("event_comparison", EVENT)
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v5")


def test_compare_without_storing(fs):
    result = fs.compare(sample_articles(), group_by="type", min_articles=2)
    assert result.metadata["n_articles"] == 20
    assert fs.articles.list().empty


def test_exports_stream_to_files_and_frames(fs, stored, tmp_path):
    path = tmp_path / "articles.csv"
    n_bytes = fs.articles.export(path, event=EVENT)
    assert path.stat().st_size == n_bytes and not (tmp_path / "articles.csv.part").exists()
    frame = pd.read_csv(path)
    assert sorted(frame["id"]) == sorted(stored)
    assert {"dominant_frame", "frame_economic-cost_present"} <= set(frame.columns)
    nested = fs.articles.export_frame(format="ndjson", outlet="eastern-wire")
    assert len(nested) == 5 and "classification" in nested.columns


def test_classify_one_or_many_in_order(app):
    client, transport = make_client(app)
    client._limits = Limits(max_classify_chars=1_500)  # forces several requests
    articles = sample_articles()[:6]
    one = client.classify(articles[0])
    assert one["status"] == "ok" and {f["key"] for f in one["frames"]} >= {"economic-cost"}
    many = client.classify(articles)
    assert len(many) == 6 and many[0]["dominant_frame"] == one["dominant_frame"]
    assert len(transport.sent("POST", "/v1/classify")) > 2
    table = client.classify_frame(articles)
    assert len(table) == 6 and "economic-cost_present" in table.columns


def test_long_work_shows_a_progress_bar(app, capsys):
    client, _ = make_client(app)
    client.articles.upload(sample_articles(), create_missing=True, batch_size=5, progress=True)
    bar = capsys.readouterr().err
    assert "articles:" in bar and "/20 [" in bar  # tqdm redraws at most every 0.1 s: no exact count
    client.articles.upload(sample_articles()[:2], create_missing=True)  # progress=False on this client
    assert "articles" not in capsys.readouterr().err
