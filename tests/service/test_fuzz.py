"""Schema fuzzing: schemathesis against the live OpenAPI document of a running gunicorn.

Every operation gets ``FUZZ_EXAMPLES`` generated requests (25 here, deterministic, so CI is stable;
``make fuzz`` runs 500 per operation with fresh randomness), on SQLite and, with
``TEST_DATABASE_URL``, on PostgreSQL in a scratch database ``<name>_fuzz`` (or ``FUZZ_DATABASE_URL``)
that it rebuilds. Each answer must not be a 5xx and must match the documented status, media type
and response schema. The server runs as deployed: auth required (the fuzzer sends an admin key),
rate limits off so that they cannot hide a finding.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
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


#: Shapes that generated cases rarely reach, sent explicitly (issue 16): lone surrogates, NUL,
#: cursors and ids past 2^63, numbers that overflow a double, and deep and wide JSON.
CURSOR_2_63 = base64.urlsafe_b64encode(b"after:9223372036854775808").decode().rstrip("=")
QUERY_SHAPES = ["a\x00b", "\udc80", "1e400", "9223372036854775808", "-9223372036854775809", CURSOR_2_63]
BODY_SHAPES = ['"\\ud800"', '"a\\u0000b"', "1e400", "-1e400", "9223372036854775808", "1" + "0" * 400]
WHOLE_BODIES = ["[" * 5_000 + "]" * 5_000, "[" + "{}," * 1_200_000 + "{}]", '{"a": ' * 40 + "1" + "}" * 40]


def hostile_requests(spec: dict) -> Iterator[tuple[str, str, dict]]:
    """(method, path with query, requests kwargs) for every operation of the document and every shape."""
    for template, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method not in {"get", "post", "patch", "delete"}:
                continue
            path = template
            for name in re.findall(r"{(\w+)}", template):
                bad = "9223372036854775808" if name.endswith("id") else "a%00b"
                path = path.replace("{" + name + "}", bad)
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    for shape in QUERY_SHAPES:
                        raw = quote(shape.encode("utf-8", "surrogatepass"))  # a surrogate: invalid UTF-8
                        yield method, f"{path}?{parameter['name']}={raw}", {}
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if not content:
                continue
            schema = content.get("schema", {})
            ref = schema.get("$ref") or schema.get("items", {}).get("$ref", "")
            properties = spec["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
            for name in properties:
                for shape in BODY_SHAPES:
                    body = f'{{"{name}": {shape}}}'
                    yield method, path, {"data": f"[{body}]" if schema.get("type") == "array" else body}
            for body in WHOLE_BODIES:
                yield method, path, {"data": body}


def test_hostile_shapes_on_every_operation(fuzz_target: dict) -> None:
    """Never a 5xx; every refusal is problem+json; a 422 says what it refused (a field, or a domain rule)."""
    spec = requests.get(fuzz_target["url"] + "/v1/openapi.json", timeout=30).json()
    headers = {**fuzz_target["headers"], "Content-Type": "application/json"}
    failures, n_sent = [], 0
    for method, path, kwargs in hostile_requests(spec):
        response = requests.request(method, fuzz_target["url"] + path, headers=headers, timeout=60, **kwargs)
        n_sent += 1
        shown = f"{method.upper()} {path[:150]} {str(kwargs)[:100]} -> {response.status_code}"
        if response.status_code >= 500:
            failures.append(shown + " " + response.text[:300])
        elif response.status_code >= 400 and response.headers["Content-Type"] != "application/problem+json":
            failures.append(shown + " " + response.headers["Content-Type"])
        elif response.status_code == 422 and not (
            response.json().get("errors") or response.json().get("detail")
        ):
            failures.append(shown + " (says nothing about what it refused)")
    assert n_sent > 300
    assert not failures, "\n".join(failures)
