"""``framescope import FOLDER``: saved pages sent as ``{"html": ..., "outlet": ...}``.

Needs the server's ``html`` article field (issue 14's ingest part, built on another branch): until it
is merged the server refuses ``html`` as an unknown field, and these tests skip.
"""

from __future__ import annotations

import pytest

from framescope import Client
from framescope.cli import main
from tests.client.conftest import EVENT, Recorder

PAGE = """<!doctype html>
<html><head><title>{title} | Harbour Gazette</title>
<meta property="article:published_time" content="2026-04-0{day}T08:00:00Z">
<meta name="author" content="Mara Quill"></head>
<body><nav>Home | World | Business | Subscribe</nav>
<article><h1>{title}</h1>
<p>{body}</p>
<p>Officials in the port said the strike on the grain terminal damaged two loading cranes and set a
warehouse on fire. Allies promised to send air defence systems and engineers to repair the berths.</p>
<p>Insurers raised premiums for ships calling at the port, and grain prices rose on the exchange.</p>
</article>
<footer>Copyright Harbour Gazette. Cookie settings. Newsletter.</footer></body></html>
"""


def html_supported(app) -> bool:
    """Probe without storing anything: an unknown outlet is refused either way; what matters is whether
    ``html`` is named as an unknown field."""
    response = app.test_client().post("/v1/articles", json={"outlet": "no-such-outlet", "html": "<p>x</p>"})
    errors = (response.get_json() or {}).get("errors") or []
    return not any(e.get("field") == "html" and "Unknown" in e.get("detail", "") for e in errors)


def test_a_folder_of_saved_pages_is_imported(app, tmp_path, capsys):
    if not html_supported(app):
        pytest.skip("the server has no `html` article field yet (issue 14 ingest branch)")
    folder = tmp_path / "pages"
    folder.mkdir()
    titles = ["Drone strike hits Port Selenko grain terminal", "Allies pledge air defence for the port"]
    for day, title in enumerate(titles, start=1):
        body = f"Day {day}: emergency crews worked through the night after the attack."
        (folder / f"{day:02d}-page.html").write_text(PAGE.format(title=title, day=day, body=body))
    (folder / "notes.txt").write_text("not a page")
    transport = Recorder(app)
    argv = ["--no-progress", "import", str(folder), "--outlet", "harbour-gazette", "--event", EVENT]
    assert main([*argv, "--state", str(tmp_path / "s.json")], transport=transport) == 0
    out = capsys.readouterr().out
    assert "2 records" in out and "stored      2" in out
    sent = transport.sent("POST", "/v1/articles/batch")[0]
    assert b'"html"' in sent.content and b'"outlet":"harbour-gazette"' in sent.content
    stored = Client(transport=transport, progress=False).articles.list(outlet="harbour-gazette")
    assert sorted(stored["title"]) == sorted(titles)
    assert not stored["text"].str.contains("Cookie settings").any()  # boilerplate dropped
    assert main([*argv, "--state", str(tmp_path / "s.json")], transport=transport) == 0
    assert "nothing new" in capsys.readouterr().out
