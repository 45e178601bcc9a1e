"""The ``framescope`` command in-process (``main(argv, transport=...)``): import with a summary and
resume, compare, export, jobs, and the documented exit codes with one-line errors."""

from __future__ import annotations

import csv
import json

import httpx
import pandas as pd
import pytest

from framescope import Client
from framescope.cli import main
from tests.client.conftest import EVENT, Recorder, sample_articles


@pytest.fixture
def transport(app) -> Recorder:
    return Recorder(app)


def run(transport: httpx.BaseTransport, *argv: str) -> int:
    return main(["--no-progress", *argv], transport=transport)


def write_csv(path, rows: list[dict]) -> None:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def sample_rows() -> list[dict]:
    """The sample as CSV rows, outlet attributes as ``outlet_attr_type`` columns (as exports write them)."""
    rows = []
    for article in sample_articles():
        row = {k: v for k, v in article.items() if k != "outlet_attributes"}
        row["outlet_attr_type"] = article["outlet_attributes"]["type"]
        rows.append(row)
    return rows


def posted_items(transport: Recorder) -> int:
    return sum(len(json.loads(r.content)) for r in transport.sent("POST", "/v1/articles/batch"))


def test_import_csv_reports_stored_duplicates_and_skipped_lines(transport, tmp_path, capsys):
    rows = sample_rows()
    rows[3]["text"] = "   "  # refused by the server: line 5 of the file (the header is line 1)
    rows.append(dict(rows[0]))  # the same article twice: a duplicate
    path = tmp_path / "articles.csv"
    write_csv(path, rows)
    with path.open("a") as handle:
        handle.write("broken,row\n")  # line 23: wrong number of cells
    code = run(transport, "import", str(path), "--state", str(tmp_path / "state.json"), "--batch-size", "6")
    out = capsys.readouterr().out
    assert code == 4  # finished, some records skipped
    assert "stored      19" in out and "duplicates  1" in out and "skipped     2" in out
    assert "line 5: text: Must contain non-whitespace text." in out
    assert "line 23: 2 cells for 7 columns" in out
    assert len(Client(transport=transport, progress=False).articles.list()) == 19


class Interrupting(Recorder):
    """Ctrl-C while the third batch is on its way."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/articles/batch" and len(self.sent("POST", "/v1/articles/batch")) == 2:
            raise KeyboardInterrupt
        return super().handle_request(request)


def test_an_interrupted_import_resumes_after_what_was_stored(app, tmp_path, capsys):
    path = tmp_path / "articles.ndjson"
    path.write_text("".join(json.dumps(a) + "\n" for a in sample_articles()))
    state = tmp_path / "state.json"
    first = Interrupting(app)
    assert run(first, "import", str(path), "--state", str(state), "--batch-size", "5") == 130
    assert "interrupted" in capsys.readouterr().err
    assert json.loads(state.read_text())["done"] == 10 and posted_items(first) == 10

    second = Recorder(app)
    assert run(second, "import", str(path), "--state", str(state), "--batch-size", "5") == 0
    out = capsys.readouterr().out
    assert posted_items(second) == 10  # only the records the first run did not store
    assert "resumed after 10 records" in out and "stored      20" in out and "duplicates  0" in out

    third = Recorder(app)
    assert run(third, "import", str(path), "--state", str(state)) == 0
    assert posted_items(third) == 0 and "nothing new" in capsys.readouterr().out

    path.write_text("".join(json.dumps(a) + "\n" for a in reversed(sample_articles())))  # the file changed
    fourth = Recorder(app)
    assert run(fourth, "import", str(path), "--state", str(state)) == 0
    out = capsys.readouterr().out
    assert "started over" in out and "duplicates  20" in out and posted_items(fourth) == 20
    fifth = Recorder(app)  # other options make other records: start over too
    assert run(fifth, "import", str(path), "--state", str(state), "--outlet", "civic-herald") == 0
    assert "started over" in capsys.readouterr().out and posted_items(fifth) == 20


def test_ndjson_lines_that_are_not_articles_are_skipped_by_line(transport, tmp_path, capsys):
    path = tmp_path / "articles.jsonl"
    lines = [json.dumps(a) for a in sample_articles()[:3]]
    lines.insert(1, '{"outlet": "x", "title": ')
    lines.insert(3, "[1, 2]")
    path.write_text("\n".join(lines) + "\n")
    assert run(transport, "import", str(path), "--state", str(tmp_path / "s.json")) == 4
    out = capsys.readouterr().out
    assert "line 2: not valid JSON" in out and "line 4: not a JSON object (list)" in out
    assert "stored      3" in out


def test_defaults_and_renames(transport, tmp_path, capsys):
    rows = [{"headline": a["title"], "body": a["text"]} for a in sample_articles()[:2]]
    path = tmp_path / "plain.csv"
    write_csv(path, rows)
    code = run(
        transport, "import", str(path), "--outlet", "harbour-gazette", "--event", EVENT,
        "--rename", "headline=title", "--rename", "body=text", "--state", str(tmp_path / "s.json"),
    )  # fmt: skip
    assert code == 0, capsys.readouterr()
    assert "stored      2" in capsys.readouterr().out
    assert transport.sent("POST", "/v1/articles/batch")[0].url.params["create_missing"] == "true"


def test_compare_table_csv_and_json(transport, tmp_path, capsys):
    path = tmp_path / "a.json"
    path.write_text(json.dumps(sample_articles()))
    assert run(transport, "import", str(path), "--state", str(tmp_path / "s.json")) == 0
    capsys.readouterr()
    assert run(transport, "compare", EVENT, "--group-by", "type") == 0
    table = capsys.readouterr().out
    assert "share of articles using each frame" in table
    assert "independent" in table and "state-aligned" in table and "escalation-risk" in table
    assert run(transport, "compare", EVENT, "--format", "csv", "--table", "frame_tests") == 0
    tests = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert len(tests) == 8 and "pvalue_adjusted" in tests.columns
    out_file = tmp_path / "comparison.json"
    assert (
        run(transport, "compare", "all", "--group-by", "type", "--format", "json", "-o", str(out_file)) == 0
    )
    assert "coverage" in json.loads(out_file.read_text())["tables"]


def test_export_streams_csv_or_ndjson(transport, tmp_path, capsys):
    path = tmp_path / "a.json"
    path.write_text(json.dumps(sample_articles()))
    run(transport, "import", str(path), "--state", str(tmp_path / "s.json"))
    capsys.readouterr()
    assert run(transport, "export", "--outlet", "eastern-wire") == 0
    frame = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert len(frame) == 5 and set(frame["outlet"]) == {"eastern-wire"}
    target = tmp_path / "all.ndjson"
    assert run(transport, "export", "--format", "ndjson", "--event", EVENT, "-o", str(target)) == 0
    assert len(target.read_text().splitlines()) == 20


def test_jobs_list_show_cancel(transport, capsys):
    client = Client(transport=transport, progress=False)
    job = client.jobs.wait(client.jobs.classify(), poll_seconds=0.05, timeout=60)
    assert run(transport, "jobs") == 0
    assert f"{job['id']}" in capsys.readouterr().out
    assert run(transport, "jobs", "show", str(job["id"])) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "succeeded"
    assert run(transport, "jobs", "cancel", str(job["id"])) == 1  # finished: 409
    err = capsys.readouterr().err
    assert err.startswith("framescope: error: 409") and len(err.strip().splitlines()) == 1


def test_errors_are_one_line_with_documented_exit_codes(transport, tmp_path, capsys):
    assert run(transport, "compare", "no-such-event") == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("framescope: error: 404") and "\n" not in err
    assert run(transport, "import", str(tmp_path / "missing.csv")) == 2
    assert "no such file" in capsys.readouterr().err
    (tmp_path / "pages").mkdir()
    assert run(transport, "import", str(tmp_path / "pages")) == 2
    assert "--outlet" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        run(transport, "jobs", "show")
    assert usage.value.code == 2
    bad = tmp_path / "a.txt"
    bad.write_text("x")
    assert run(transport, "import", str(bad)) == 2


def test_unreachable_server_exits_3(tmp_path, capsys, monkeypatch):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr("framescope.http.time.sleep", lambda _s: None)
    assert main(["--url", f"http://127.0.0.1:{port}", "compare", EVENT]) == 3
    assert "Cannot connect" in capsys.readouterr().err


def test_long_texts_and_unreadable_csv(transport, tmp_path, capsys):
    long_text = "The convoy reached the port after the strike. " * 4_000  # 184,000 characters
    path = tmp_path / "long.csv"
    write_csv(path, [{"outlet": "harbour-gazette", "title": "Long report", "text": long_text}])
    assert run(transport, "import", str(path), "--state", str(tmp_path / "s.json")) == 0
    assert "stored      1" in capsys.readouterr().out
    latin = tmp_path / "latin.csv"
    latin.write_bytes("outlet,title,text\nx,Caf\xe9,Texte\n".encode("latin-1"))
    assert run(transport, "import", str(latin), "--state", str(tmp_path / "t.json")) == 2
    err = capsys.readouterr().err
    assert err.startswith("framescope: error:") and "UTF-8" in err and len(err.strip().splitlines()) == 1
