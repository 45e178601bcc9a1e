"""/dashboard in a real headless Chromium (Debian's package, driven by Playwright) against gunicorn.

The page is loaded from a live server holding the invented Port Selenko articles: no console error
(a Content-Security-Policy violation is one), no failed request and no request leaving the server,
the heatmap drawn with a cell per outlet and frame, and a click on a cell lists exactly the articles
that cell counts with their evidence sentences highlighted. Screenshots are kept in
``test-artifacts/`` (gitignored) for a human to look at.

Chromium: ``TEST_CHROMIUM`` or ``/usr/bin/chromium`` (``apt-get install chromium``; Playwright's own
browser downloads are never used). Without it the test is skipped on a developer machine but fails
under CI (``CI`` set, as ``.ci/run`` does, which also installs it), so CI can never pass silently
without the browser test.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.service.live import ROOT, live_server

CHROMIUM = Path(os.environ.get("TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"
SAMPLES = json.loads((ROOT / "fixtures" / "samples" / "port-selenko.json").read_text())
EVENT = "port-selenko-strike"

pytestmark = pytest.mark.slow


def require_browser() -> Any:
    """Playwright's sync API, or a skip (developer machine) / failure (CI) naming what is missing."""
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "the playwright package (pip install -r requirements-dev.txt)"
    if missing is None and not os.access(CHROMIUM, os.X_OK):
        missing = f"Chromium at {CHROMIUM} (apt-get install chromium chromium-driver, or set TEST_CHROMIUM)"
    if missing is None:
        return sync_playwright
    if os.environ.get("CI"):
        pytest.fail(f"The browser test needs {missing}; .ci/run installs it.")
    pytest.skip(f"needs {missing}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[str]:
    """gunicorn on a free local port, over a SQLite copy holding the stored sample articles."""
    require_browser()  # skip (or fail under CI) before starting a server for nothing
    folder = tmp_path_factory.mktemp("dashboard")
    shutil.copy(sqlite_template, folder / "framescope.sqlite3")
    with live_server(f"sqlite:///{folder / 'framescope.sqlite3'}", folder) as live:
        stored = requests.post(f"{live.url}/v1/articles/batch?create_missing=true", json=SAMPLES, timeout=120)
        assert stored.status_code == 201, stored.text[:500]
        yield live.url


class PageWatch:
    """Console errors, page errors, failed requests, error answers and requests to other origins."""

    def __init__(self, page: Any, origin: str) -> None:
        self.problems: list[str] = []
        self.origin = origin
        page.on("console", self.console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} {r.failure}"))
        page.on("response", self.response)
        page.route("**/*", self.route)

    def console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def response(self, response: Any) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def route(self, route: Any) -> None:
        """Only this server and inline data: any other origin (a CDN) would break offline use."""
        url = route.request.url
        if url.startswith((self.origin + "/", "data:", "blob:")):
            route.continue_()
        else:
            self.problems.append(f"request to another origin: {url}")
            route.abort()


@pytest.fixture
def browser_page_for() -> Iterator[Any]:
    """A function: server URL -> (a fresh Chromium page, its watch); the browser closes afterwards."""
    sync_playwright = require_browser()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

        def open_page(origin: str) -> tuple[Any, PageWatch]:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(30_000)
            return page, PageWatch(page, origin)

        try:
            yield open_page
        finally:
            browser.close()


@pytest.fixture
def browser_page(server: str, browser_page_for: Any) -> tuple[Any, PageWatch]:
    return browser_page_for(server)


def click_centre(page: Any, locator: Any) -> None:
    """Click where a user would: the middle of the cell (its printed share sits on top)."""
    box = locator.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def api(server: str, path: str) -> dict[str, Any]:
    response = requests.get(server + path, timeout=60)
    assert response.status_code == 200, response.text[:500]
    return response.json()


def shown_articles(page: Any) -> dict[int, list[str]]:
    """Article id -> the texts of its highlighted sentences, as the page shows them."""
    cards = page.locator("#evidence article.evidence-article")
    return {
        int(cards.nth(i).get_attribute("data-article-id")): cards.nth(i).locator("mark").all_text_contents()
        for i in range(cards.count())
    }


def test_dashboard_charts_an_event_and_a_click_shows_the_evidence(server, browser_page):
    page, watch = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{server}/dashboard?event={EVENT}&interval=day")
    page.wait_for_selector("body[data-ready=true]")

    comparison = api(server, f"/v1/events/{EVENT}/comparison")
    frames = comparison["metadata"]["frames"]
    cells = page.locator("#heatmap g.layer_0_marks path")
    assert cells.count() == 4 * len(frames)  # a cell per outlet and frame
    assert page.locator("#stance svg g.mark-rect path").count() > 0  # stance bars
    assert page.locator("#trends svg g.mark-line path").count() > 0  # trend lines
    assert "20 articles compared" in page.locator("#status").text_content()
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    row = next(r for r in comparison["tables"]["prevalence"] if r["count"] >= 2)
    cell = page.locator(
        f'#heatmap g.layer_0_marks path[aria-label*="Frame: {row["frame"]}; Outlet: {row["outlet"]};"]'
    )
    click_centre(page, cell)
    page.wait_for_selector("#evidence mark")
    summary = page.locator("#evidence-summary").text_content()
    assert summary.startswith(f"{row['count']} articles")
    expected = api(server, f"/v1/evidence?events={EVENT}&outlets={row['outlet']}&frame={row['frame']}")
    shown = shown_articles(page)
    assert sorted(shown) == sorted(a["id"] for a in expected["articles"])
    for article in expected["articles"]:  # every evidence sentence is highlighted, nothing else
        assert sorted(shown[article["id"]]) == sorted(e["sentence"] for e in article["evidence"])
    page.locator("#evidence-panel").screenshot(path=str(ARTIFACTS / "dashboard-evidence.png"))
    assert watch.problems == []


def test_groups_and_stance_bars_open_their_articles(server, browser_page):
    page, watch = browser_page
    page.goto(f"{server}/dashboard?event={EVENT}&group_by=type")
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("#group-by").input_value() == "type"
    labels = page.locator("#heatmap g.role-axis-label text").all_text_contents()
    assert {"independent", "state-aligned"} <= set(labels)

    rows = api(server, f"/v1/events/{EVENT}/comparison?group_by=type")["tables"]
    stance = next(r for r in rows["stance"] if r["group"] == "independent" and r["count"] > 0)
    label = f'[aria-label*="group: independent"][aria-label*="stance: {stance["stance"]}"]'
    bar = page.locator(f"#stance g.mark-rect path{label}")
    click_centre(page, bar)
    page.wait_for_selector("#evidence article.evidence-article")
    assert page.locator("#evidence-summary").text_content().startswith(f"{stance['count']} article")
    outlets = page.locator("#evidence .meta").all_text_contents()
    assert outlets and not any(text.startswith("eastern-wire") for text in outlets)  # state-aligned
    assert watch.problems == []


def test_the_table_view_opens_the_same_evidence_from_the_keyboard(server, browser_page):
    page, watch = browser_page
    page.goto(f"{server}/dashboard?event={EVENT}")
    page.wait_for_selector("body[data-ready=true]")
    rows = api(server, f"/v1/events/{EVENT}/comparison")["tables"]["prevalence"]
    assert page.locator("#prevalence-rows tr").count() == len(rows)
    row = next(r for r in rows if r["count"] >= 2)
    page.locator("#table-view summary").focus()
    page.keyboard.press("Enter")  # opens the <details>
    line = page.locator("#prevalence-rows tr").filter(has_text=row["outlet"]).filter(has_text=row["frame"])
    assert f"{row['count']} of {row['n']}" in line.text_content()
    line.locator("button").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#evidence mark")
    assert page.locator("#evidence-title").text_content().endswith(f"{row['outlet']} · frame {row['frame']}")
    assert page.locator("#evidence article.evidence-article").count() == row["count"]
    assert watch.problems == []


def test_highlights_count_code_points_like_the_server(server, browser_page):
    """Python offsets count code points; an emoji is two UTF-16 units in JavaScript."""
    page, watch = browser_page
    page.goto(f"{server}/dashboard?event={EVENT}")
    page.wait_for_selector("body[data-ready=true]")
    text = "😀 Drones hit the port. Prices rose. 🚢 Ships waited."
    spans = []
    for sentence in ("Prices rose.", "Ships waited."):
        start = text.index(sentence)  # a code-point offset, as stored
        spans.append({"sentence": sentence, "start": start, "end": start + len(sentence), "score": 0.9})
    marks = page.evaluate(
        """([text, spans]) => {
            const box = document.createElement("p");
            box.append(window.framescopeEvidence.highlighted(text, spans));
            return [...box.querySelectorAll("mark")].map((m) => m.textContent).concat(box.textContent);
        }""",
        [text, spans],
    )
    assert marks == ["Prices rose.", "Ships waited.", text]
    assert watch.problems == []


@pytest.fixture(scope="module")
def keyed_server(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[tuple[str, str]]:
    """A server that requires keys, the sample articles stored, and a key allowed to read them."""
    from tests.conftest import make_test_app

    require_browser()

    folder = tmp_path_factory.mktemp("dashboard-keys")
    url = f"sqlite:///{folder / 'framescope.sqlite3'}"
    shutil.copy(sqlite_template, folder / "framescope.sqlite3")
    app = make_test_app(url)
    created = app.test_cli_runner().invoke(args=["keys", "create", "reader", "--scope", "write"])
    assert created.exit_code == 0, created.output
    app.extensions["framescope"]["engine"].dispose()
    key = created.output.strip().splitlines()[-1]
    with live_server(url, folder, AUTH_REQUIRED="true") as live:
        headers = {"Authorization": f"Bearer {key}"}
        stored = requests.post(
            f"{live.url}/v1/articles/batch?create_missing=true", json=SAMPLES, headers=headers, timeout=120
        )
        assert stored.status_code == 201, stored.text[:500]
        yield live.url, key


def test_with_keys_required_the_page_asks_for_one_and_charts_with_it(keyed_server, browser_page_for):
    server, key = keyed_server
    page, watch = browser_page_for(server)
    page.goto(f"{server}/dashboard?event={EVENT}")
    page.wait_for_selector("body[data-ready=true]")
    assert "Type a key above" in page.locator("#status").text_content()
    assert watch.problems and all("401" in problem for problem in watch.problems)  # only the refused reads
    watch.problems.clear()
    page.fill("#api-key", key)
    page.click("#show")
    page.wait_for_selector("#heatmap g.layer_0_marks path")
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("#event").input_value() == EVENT
    assert "20 articles compared" in page.locator("#status").text_content()
    assert watch.problems == []
