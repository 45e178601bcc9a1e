"""/dashboard without a browser: public, strict CSP, no inline script, every asset local and pinned."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from service.hardening import PAGE_SECURITY_HEADERS
from tests.service.live import ROOT

VENDOR = ROOT / "service" / "static" / "vendor"


class Assets(HTMLParser):
    """Script and stylesheet references of a page, and whether any script is inline."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self._in_script = "src" not in values
            if values.get("src"):
                self.urls.append(values["src"])
        if tag == "link" and values.get("rel") == "stylesheet":
            self.urls.append(values["href"])
        if any(name.startswith("on") for name in values):  # onclick=... is inline script too
            self.inline_scripts += 1

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False


def test_page_is_public_with_a_strict_content_security_policy(app, client):
    app.config["AUTH_REQUIRED"] = True  # keys on: the page (no data in it) still loads
    response = client.get("/dashboard")
    assert response.status_code == 200 and response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert policy == PAGE_SECURITY_HEADERS["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"  # no inline script, no eval, no CDN
    assert directives["connect-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert client.get("/v1/events").status_code == 401  # the data still needs a key


def test_every_asset_is_served_locally_and_no_script_is_inline(client):
    parser = Assets()
    parser.feed(client.get("/dashboard").get_data(as_text=True))
    assert parser.inline_scripts == 0
    assert len(parser.urls) == 7  # stylesheet, four vendored libraries, the page's two scripts
    for url in parser.urls:
        assert url.startswith("/static/"), url
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype in ("text/javascript", "application/javascript", "text/css")
        assert b"sourceMappingURL" not in response.get_data()  # no request for an unserved map


def test_vendored_libraries_match_the_lock_file():
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    wanted = json.loads((ROOT / "package.json").read_text())["dependencies"]
    vendored = json.loads((VENDOR / "versions.json").read_text())
    assert vendored == wanted == {name: lock[f"node_modules/{name}"]["version"] for name in wanted}
    for name in wanted:
        assert (VENDOR / f"{name}.LICENSE").is_file()
    interpreter = (VENDOR / "vega-interpreter.js").read_text()
    assert not re.search(r"^\s*(import|export)\b", interpreter, re.MULTILINE)  # a classic script
