"""create_app: configuration precedence and where extensions live."""

from pathlib import Path

from service import create_app
from tests.conftest import session_model


def test_defaults_use_sqlite_in_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"MODEL": session_model()})
    assert app.config["DATABASE_URL"] == "sqlite:///" + str(Path(app.instance_path) / "framescope.sqlite3")
    assert app.config["MAX_CONTENT_LENGTH"] == 64 * 1024 * 1024
    assert not app.testing
    app.extensions["framescope"]["engine"].dispose()


def test_environment_then_prefixed_env_then_mapping(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite3")
    monkeypatch.setenv("PORT", "9123")
    monkeypatch.setenv("FRAMESCOPE_MAX_BATCH_ITEMS", "20")
    monkeypatch.setenv("FRAMESCOPE_MAX_CONTENT_LENGTH", "1000")
    app = create_app({"MAX_CONTENT_LENGTH": 2000, "MODEL": session_model()})
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path}/env.sqlite3"
    assert app.config["PORT"] == 9123
    assert app.config["MAX_BATCH_ITEMS"] == 20  # parsed as JSON, so an int
    assert app.config["MAX_CONTENT_LENGTH"] == 2000  # the mapping wins
    app.extensions["framescope"]["engine"].dispose()


def test_heroku_style_postgres_url_uses_psycopg3(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5432/x")
    app = create_app({"MODEL": session_model()})
    assert app.config["DATABASE_URL"] == "postgresql+psycopg://u:p@db.example:5432/x"
    assert app.extensions["framescope"]["engine"].dialect.name == "postgresql"


def test_each_app_gets_its_own_engine(tmp_path):
    first = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/a.sqlite3", "MODEL": session_model()})
    second = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/b.sqlite3", "MODEL": session_model()})
    assert first.extensions["framescope"]["engine"] is not second.extensions["framescope"]["engine"]
    assert set(first.extensions["framescope"]["ready_checks"]) == {"database", "model"}


def test_testing_flag(app):
    assert app.testing
