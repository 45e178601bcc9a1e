"""Shared fixtures (Flask tutorial style): ``app``, ``client``, ``runner``, ``db_session``, ``classifier``.

Every test that uses ``app`` runs once per backend: SQLite always, PostgreSQL too when
``TEST_DATABASE_URL`` is set. Both schemas are built by the real Alembic migrations (once per session);
SQLite tests get a fresh copy of the migrated file, PostgreSQL tests get truncated tables.
The classifier is trained (or read from ``instance/models``) once per session and handed to every app
through the ``MODEL`` setting, so dozens of apps do not each load or train it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import joblib
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from service import create_app
from service.classifier_registry import load_model
from service.storage.tables import Base

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])
MODEL_CACHE_DIR = Path(__file__).resolve().parents[1] / "instance" / "models"
_SESSION_MODEL: dict[str, object] = {}  # filled once by the ``classifier`` fixture


def session_model() -> object:
    """The session's classifier (trained or loaded from the cache on first call, then reused)."""
    if "model" not in _SESSION_MODEL:
        pinned = os.environ.get("TEST_MODEL_FILE")  # a cached .joblib, to skip retraining while iterating
        _SESSION_MODEL["model"] = joblib.load(pinned) if pinned else load_model("conflict", MODEL_CACHE_DIR)
    return _SESSION_MODEL["model"]


def make_test_app(database_url: str, **config: object) -> Flask:
    """App with test settings; extra keyword arguments override config (e.g. MAX_CONTENT_LENGTH)."""
    return create_app({"TESTING": True, "DATABASE_URL": database_url, "MODEL": session_model(), **config})


@pytest.fixture(scope="session")
def classifier() -> object:
    """The production classifier, once per session (the same object every test app serves)."""
    return session_model()


def migrate(database_url: str) -> None:
    app = make_test_app(database_url)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    app.extensions["framescope"]["engine"].dispose()


def reset_postgres_schema(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per session; tests copy it (much faster than migrating each time)."""
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """Drop and rebuild the PostgreSQL schema with the real migrations, once per session."""
    if not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    reset_postgres_schema(TEST_DATABASE_URL)
    migrate(TEST_DATABASE_URL)
    return TEST_DATABASE_URL


def truncate_all(database_url: str) -> None:
    engine = create_engine(database_url)
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database on the parametrised backend."""
    if request.param == "sqlite":
        path = tmp_path / "framescope.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    truncate_all(url)
    return url


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = make_test_app(database_url)
    yield app
    app.extensions["framescope"]["engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """A session outside any request, for arranging rows and inspecting what a request stored."""
    session = app.extensions["framescope"]["sessionmaker"]()
    yield session
    session.close()


@pytest.fixture
def backend(database_url: str) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"
