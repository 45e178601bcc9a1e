"""Schema fuzzing: schemathesis against the live OpenAPI document of a running gunicorn.

Every operation gets ``FUZZ_EXAMPLES`` generated requests (25 here, deterministic, so CI is stable;
``make fuzz`` runs 500 per operation with fresh randomness), on SQLite and, with
``TEST_DATABASE_URL``, on PostgreSQL in a scratch database ``<name>_fuzz`` (or ``FUZZ_DATABASE_URL``)
that it rebuilds. Each answer must not be a 5xx and must match the documented status, media type
and response schema. The server runs as deployed: auth required (the fuzzer sends an admin key),
rate limits off so that they cannot hide a finding.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import create_engine, make_url, text

from tests.conftest import BACKENDS, TEST_DATABASE_URL, migrate, reset_postgres_schema
from tests.service.live import live_server
from tests.service.security_helpers import app_with, new_key

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
RANDOM = os.environ.get("FUZZ_RANDOM") == "1"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
CASES: Counter[str] = Counter()


def scratch_postgres_url() -> str | None:
    """``FUZZ_DATABASE_URL``, else ``<TEST_DATABASE_URL>_fuzz`` (created if missing), else None.

    A database of its own: the fuzzed server writes while the rest of the suite truncates its tables.
    """
    if os.environ.get("FUZZ_DATABASE_URL"):
        return os.environ["FUZZ_DATABASE_URL"]
    if not TEST_DATABASE_URL:
        return None
    base = make_url(TEST_DATABASE_URL)
    name = f"{base.database}_fuzz"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="module", params=BACKENDS)
def fuzz_target(request, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """gunicorn on a migrated database, with one admin key (the fuzzer may then reach every route)."""
    directory = tmp_path_factory.mktemp("fuzz")
    if request.param == "postgresql":
        database_url = scratch_postgres_url()
        reset_postgres_schema(database_url)
        migrate(database_url)
    else:
        database_url = f"sqlite:///{directory / 'fuzz.sqlite3'}"
        shutil.copy(sqlite_template, directory / "fuzz.sqlite3")
    with app_with(database_url) as app:
        token = new_key(app, "admin", name="fuzzer")
    CASES.clear()
    with live_server(
        database_url, directory, workers=1, threads=4, AUTH_REQUIRED="true", RATELIMIT_ENABLED="false"
    ) as server:
        yield {"url": server.url, "headers": {"Authorization": f"Bearer {token}"}, "log": server.log_path}
    operations = {key.rsplit(" ", 1)[0] for key in CASES}
    print(
        f"\nschemathesis on {request.param}: {sum(CASES.values())} cases over {len(operations)} operations"
        " (positive and negative)"
    )


def fuzz_operation(operation, mode: GenerationMode, target: dict) -> None:
    """Run ``FUZZ_EXAMPLES`` generated requests against one operation; raise on the first failure."""

    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        derandomize=not RANDOM,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case) -> None:
        CASES[f"{operation.label} {mode}"] += 1
        case.call_and_validate(base_url=target["url"], headers=target["headers"], checks=CHECKS)

    check()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_openapi_document(fuzz_target: dict, mode: GenerationMode) -> None:
    """Every operation of the live document, valid (positive) and invalid (negative) requests."""
    schema = schemathesis.openapi.from_url(fuzz_target["url"] + "/v1/openapi.json")
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        try:
            fuzz_operation(operation, mode, fuzz_target)
        except Unsatisfiable:  # no parameters and no body (/health, /ready): nothing invalid to send
            assert mode == GenerationMode.NEGATIVE and not operation.path_parameters and not operation.body
        except (Exception, BaseExceptionGroup) as exc:  # report every failing operation, not the first
            failures.append(f"{operation.label} ({mode}): {exc}")
    assert len(operations) >= 10
    assert not failures, "\n\n".join(failures)
