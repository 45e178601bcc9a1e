"""Helpers for the security tests: apps with extra settings, keys, and captured log lines."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from service.logs import JsonFormatter
from service.storage import api_keys
from tests.conftest import make_test_app


def new_key(app: Flask, *scopes: str, name: str = "test") -> str:
    """Create a key directly in storage and return its token."""
    with app.extensions["framescope"]["write_sessionmaker"]() as session:
        created = api_keys.create_key(session, name, list(scopes))
        session.commit()
        return created.token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def app_with(database_url: str, **config: object) -> Iterator[Flask]:
    app = make_test_app(database_url, **config)
    try:
        yield app
    finally:
        app.extensions["framescope"]["engine"].dispose()


@contextmanager
def captured_logs(logger: str = "framescope") -> Iterator[list[str]]:
    """Every line the app would log under ``logger``, formatted exactly as in production (JSON)."""
    lines: list[str] = []
    handler = logging.Handler()
    handler.setFormatter(JsonFormatter())
    handler.emit = lambda record: lines.append(handler.format(record))  # type: ignore[method-assign]
    target = logging.getLogger(logger)
    target.addHandler(handler)
    try:
        yield lines
    finally:
        target.removeHandler(handler)
