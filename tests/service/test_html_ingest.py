"""Saved pages sent as ``html``: main text without boilerplate, metadata, exactly one of text/html,
and the limits that keep extraction time bounded (issue 14)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from service.html_text import HtmlExtractionError, count_elements, extract_page, strip_inert
from tests.service.conftest import assert_problem

PAGES = Path(__file__).resolve().parents[2] / "fixtures" / "html"
HARBOUR = (PAGES / "harbour-gazette-zarichne.html").read_text()
EASTERN = (PAGES / "eastern-wire-zarichne.html").read_text()
INDEX = (PAGES / "index-page.html").read_text()
BOILERPLATE = ("cookie", "Subscribe", "Related stories", "Ferry timetable", "Privacy policy", "All rights")


def test_saved_page_is_stored_as_its_main_text_with_title_date_and_author(client):
    response = client.post(
        "/v1/articles?create_missing=true", json={"outlet": "Harbour Gazette", "html": HARBOUR}
    )
    assert response.status_code == 201, response.get_json()
    article = response.get_json()
    assert article["text"].startswith("Russian drones struck a thermal power station")
    assert "for as long as it takes" in article["text"]
    assert not any(word.lower() in article["text"].lower() for word in BOILERPLATE)
    assert article["title"] == "Drones hit power station near Zarichne as allies weigh new air defence"
    assert (article["published_at"], article["published_precision"]) == ("2026-03-14T00:00:00+00:00", "day")
    assert article["author"] == "Marta Kovalenko"
    assert "html" not in article
    assert article["classification"]["status"] == "ok"


def test_json_ld_metadata_scripts_and_overlays(client):
    response = client.post("/v1/classify", json={"html": EASTERN})
    assert response.status_code == 200, response.get_json()
    stored = client.post("/v1/articles?create_missing=true", json={"outlet": "Eastern Wire", "html": EASTERN})
    article = stored.get_json()
    assert article["author"] == "Pavel Orlov" and article["published_at"].startswith("2026-03-14")
    assert article["title"] == "Moscow says strikes on Zarichne hit military energy sites"
    for noise in ("analytics", "cookies", "Most read", "Celebrity chef", "Advertising", "display: inline"):
        assert noise not in article["text"]
    assert "direct confrontation with Russia" in article["text"]


def test_given_metadata_wins_over_the_page(client):
    sent = {
        "outlet": "hg",
        "html": HARBOUR,
        "title": "Our title",
        "published_at": "2026-03",
        "author": "Desk",
    }
    article = client.post("/v1/articles?create_missing=true", json=sent).get_json()
    assert (article["title"], article["published_precision"], article["author"]) == (
        "Our title",
        "month",
        "Desk",
    )


def test_compare_takes_saved_pages(client):
    body = {
        "articles": [
            {"outlet": "Harbour Gazette", "html": HARBOUR},
            {"outlet": "Eastern Wire", "html": EASTERN},
        ]
    }
    response = client.post("/v1/compare", json={**body, "min_articles": 1})
    assert response.status_code == 200, response.get_json()


def test_exactly_one_of_text_and_html(client):
    both = {"outlet": "hg", "text": "Drones struck a power station overnight.", "html": HARBOUR}
    body = assert_problem(client.post("/v1/articles?create_missing=true", json=both), 422, {"html"})
    assert "not both" in body["errors"][0]["detail"]
    body = assert_problem(client.post("/v1/classify", json={"title": "Only a title"}), 422, {"text"})
    assert "`html`" in body["errors"][0]["detail"]
    body = assert_problem(client.post("/v1/articles", json=[{"outlet": "hg", "text": "A list."}]), 422)
    assert [e["detail"] for e in body["errors"]] == ["Invalid input type."]
    batch = [{"outlet": "hg", "html": HARBOUR}, {"outlet": "hg"}]
    body = assert_problem(client.post("/v1/articles/batch?create_missing=true", json=batch), 422, {"text"})
    assert body["errors"][0]["index"] == 1


def test_page_without_article_text_is_named(client, db_session):
    body = assert_problem(
        client.post("/v1/articles?create_missing=true", json={"outlet": "hg", "html": INDEX}), 422, {"html"}
    )
    assert "No article text" in body["errors"][0]["detail"]


def test_limits_name_their_setting(app, client):
    too_many = "<html><body>" + "<p>word</p>" * 10_001 + "</body></html>"
    body = assert_problem(client.post("/v1/classify", json={"html": too_many}), 422, {"html"})
    assert "FRAMESCOPE_MAX_HTML_ELEMENTS" in body["errors"][0]["detail"]
    app.config["MAX_HTML_CHARS"] = 1_000
    body = assert_problem(client.post("/v1/classify", json={"html": HARBOUR}), 422, {"html"})
    assert "FRAMESCOPE_MAX_HTML_CHARS" in body["errors"][0]["detail"]
    app.config["MAX_HTML_CHARS"] = 2_000_000
    app.config["MAX_HTML_REQUEST_ELEMENTS"] = 400  # each page counts as 200 elements (it has ~40-50)
    pages = [
        {"outlet": "hg", "html": HARBOUR},
        {"outlet": "ew", "html": INDEX},  # refused, but its work still counts
        {"outlet": "x", "html": HARBOUR},
    ]
    body = assert_problem(client.post("/v1/articles/batch?create_missing=true", json=pages), 422, {"html"})
    assert [e.get("index") for e in body["errors"]] == [1, 2], body["errors"]
    assert "FRAMESCOPE_MAX_HTML_REQUEST_ELEMENTS" in body["errors"][1]["detail"]
    assert client.get("/v1/articles").get_json()["items"] == []


def test_stripping_is_linear_and_keeps_json_ld():
    assert (
        strip_inert("a<script>x</script>b<!-- c -->d<STYLE>e</style >f<svg><g/></svg>g<script") == "a b d f g"
    )
    kept = strip_inert('<script type="application/ld+json">{"author": "A"}</script><script>x()</script>')
    assert '"author"' in kept and "x()" not in kept
    start = time.perf_counter()
    strip_inert("<script" * 200_000 + "<!--" * 200_000)
    assert time.perf_counter() - start < 2  # a rescanning regex would take minutes here
    assert count_elements("<p>a</p><br/><!-- a comment --> 1 < 2") == 2  # start tags only


def test_extraction_refuses_before_parsing():
    with pytest.raises(HtmlExtractionError, match="elements"):
        extract_page("<b>a</b>" * 50, max_elements=10)
    with pytest.raises(HtmlExtractionError, match="characters besides scripts"):
        extract_page(
            "<script>" + "x" * 5000 + "</script><p>" + "y" * 200 + "</p>",
            max_elements=10,
            max_content_chars=100,
        )
