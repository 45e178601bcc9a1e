"""Procfile and gunicorn.conf.py: the production entry points read the environment."""

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_gunicorn_conf(monkeypatch, **env):
    for name in ("PORT", "WEB_CONCURRENCY", "GUNICORN_BIND"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_reads_port_and_web_concurrency(monkeypatch):
    conf = load_gunicorn_conf(monkeypatch, PORT="5123", WEB_CONCURRENCY="5")
    assert conf["bind"] == "0.0.0.0:5123"
    assert conf["workers"] == 5
    assert conf["preload_app"] is False  # pools and models are built after the fork
    assert conf["wsgi_app"] == "service.asgi:create_asgi_app(threads=4)"  # read in full, then a thread


def test_gunicorn_defaults(monkeypatch):
    conf = load_gunicorn_conf(monkeypatch)
    assert (conf["bind"], conf["workers"]) == ("0.0.0.0:8000", 2)


def test_procfile_runs_gunicorn_with_the_config_and_migrates_on_release():
    lines = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())
    assert lines["web"] == "gunicorn --config gunicorn.conf.py"
    assert "db upgrade" in lines["release"]
