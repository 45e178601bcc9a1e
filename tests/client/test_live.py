"""The client against a real gunicorn server on a socket: upload, compare, export, and real 429s."""

from __future__ import annotations

import pandas as pd
import pytest

from framescope import Client
from tests.client.conftest import EVENT, sample_articles
from tests.service.live import live_server

pytestmark = pytest.mark.slow


def test_client_against_gunicorn(database_url, tmp_path):
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        import time

        time.sleep(seconds)

    with live_server(database_url, tmp_path, RATELIMIT_APPLICATION="6 per 2 seconds") as server:
        client = Client(server.url, progress=False, sleep=sleep, max_retry_wait=10)
        result = client.articles.upload(sample_articles(), create_missing=True, batch_size=8)
        assert result.n_created == 20
        comparison = client.event_comparison(EVENT, group_by="type")
        assert set(comparison.groups["group"]) == {"independent", "state-aligned"}
        path = tmp_path / "export.csv"
        client.articles.export(path, event=EVENT)
        assert len(pd.read_csv(path)) == 20
        for _ in range(8):  # over 6 requests in 2 s: 429s, retried after Retry-After
            assert client.health() == {"status": "ok"} and client.outlets.list().shape[0] == 4, waits
        assert waits and all(0 < wait <= 10 for wait in waits), waits
        client.close()


def test_the_command_against_gunicorn(database_url, tmp_path):
    """`python -m framescope` (what the `framescope` script runs) over a socket: import, compare, export."""
    import csv
    import os
    import subprocess
    import sys

    from tests.client.conftest import ROOT

    path = tmp_path / "articles.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=["outlet", "event", "title", "text", "url", "outlet_attr_type"]
        )
        writer.writeheader()
        for article in sample_articles():
            row = {k: article[k] for k in ("outlet", "event", "title", "text", "url")}
            writer.writerow({**row, "outlet_attr_type": article["outlet_attributes"]["type"]})
    with live_server(database_url, tmp_path) as server:
        env = {**os.environ, "FRAMESCOPE_URL": server.url, "FRAMESCOPE_STATE_DIR": str(tmp_path / "state")}

        def framescope(*argv: str) -> subprocess.CompletedProcess:
            command = [sys.executable, "-m", "framescope", "--no-progress", *argv]
            return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

        imported = framescope("import", str(path))
        assert imported.returncode == 0, imported.stderr
        assert "stored      20" in imported.stdout
        assert list((tmp_path / "state").glob("*.json"))  # the resume file, in FRAMESCOPE_STATE_DIR
        compared = framescope("compare", EVENT, "--group-by", "type", "--format", "csv")
        assert compared.returncode == 0, compared.stderr
        assert compared.stdout.startswith("group,frame,")
        exported = framescope("export", "--event", EVENT, "-o", str(tmp_path / "out.csv"))
        assert exported.returncode == 0 and len(pd.read_csv(tmp_path / "out.csv")) == 20
        refused = framescope("compare", "no-such-event")
        assert refused.returncode == 1 and refused.stderr.startswith("framescope: error: 404")


def test_the_package_declares_the_command_and_its_packages():
    import tomllib

    from tests.client.conftest import ROOT

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["scripts"] == {"framescope": "framescope.cli:main"}
    assert set(project["tool"]["setuptools"]["packages"]["find"]["include"]) >= {
        "framescope*",
        "classifiers*",
        "comparison*",
        "service*",
    }
    assert "-e ." in (ROOT / "Makefile").read_text()
