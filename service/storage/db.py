"""Engine and per-request session, stored on the app (never module globals)."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, request
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create the engine; SQLite gets foreign keys, WAL and a busy timeout so it behaves like a server."""
    if url.startswith("sqlite"):
        # The driver's own transaction handling is switched off (isolation_level=None) so that writing
        # requests can open their transaction with BEGIN IMMEDIATE: a read-then-insert (dedup) then
        # waits for the write lock up front (busy timeout) instead of failing with "database is
        # locked" half-way. Reads stay DEFERRED and, with WAL, never block or get blocked.
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30, "isolation_level": None})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
            connection.exec_driver_sql(f"BEGIN {mode}")

        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def init_app(app: Flask) -> None:
    """Attach engine + session factory to ``app.extensions['framescope']`` and close sessions on teardown."""
    state = app.extensions.setdefault("framescope", {})
    engine = make_engine(app.config["DATABASE_URL"], echo=bool(app.config.get("SQL_ECHO")))
    state["engine"] = engine
    state["sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    writer = engine.execution_options(sqlite_begin="IMMEDIATE") if engine.dialect.name == "sqlite" else engine
    state["write_sessionmaker"] = sessionmaker(writer, expire_on_commit=False)
    state.setdefault("ready_checks", {})["database"] = lambda: database_is_reachable(engine)
    app.teardown_appcontext(close_session)


def get_session() -> Session:
    """The request's single session, opened lazily (Flask tutorial ``get_db`` pattern)."""
    if "db_session" not in g:
        factory = "sessionmaker" if request.method in ("GET", "HEAD", "OPTIONS") else "write_sessionmaker"
        g.db_session = current_app.extensions["framescope"][factory]()
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    """Roll back whatever the view did not commit, then return the connection to the pool."""
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()


def database_is_reachable(engine: Engine) -> bool:
    """Readiness probe: one round trip."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return True
