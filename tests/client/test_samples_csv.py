"""fixtures/samples/port-selenko.csv is the JSON sample as CSV: the README's `framescope import` step."""

from __future__ import annotations

import json

from framescope.cli import main
from tests.client.conftest import EVENT, SAMPLES, Recorder, sample_articles


def test_the_csv_sample_holds_the_json_sample():
    from framescope.sources import read_records

    records = list(read_records(SAMPLES / "port-selenko.csv", {}, {}))
    assert [r.article for r in records] == sample_articles()
    assert [r.where for r in records][:2] == ["line 2", "line 3"]


def test_the_readme_steps(app, tmp_path, capsys):
    """import the CSV, compare by group, export: the README's command-line walk-through."""
    transport = Recorder(app)
    state = ["--state", str(tmp_path / "s.json")]
    assert (
        main(["--no-progress", "import", str(SAMPLES / "port-selenko.csv"), *state], transport=transport) == 0
    )
    assert "stored      20" in capsys.readouterr().out
    assert main(["compare", EVENT, "--group-by", "type"], transport=transport) == 0
    assert "state-aligned" in capsys.readouterr().out
    out = tmp_path / "labels.ndjson"
    assert main(["export", "--event", EVENT, "--format", "ndjson", "-o", str(out)], transport=transport) == 0
    assert len([json.loads(line) for line in out.read_text().splitlines()]) == 20
