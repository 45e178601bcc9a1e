"""Client tests drive the real Flask app in-process through ``httpx.WSGITransport``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from framescope import Client

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "fixtures" / "samples"
EVENT = "port-selenko-strike"


def sample_articles() -> list[dict[str, Any]]:
    """20 invented articles from 4 invented outlets about one invented event (fixtures/samples)."""
    return json.loads((SAMPLES / "port-selenko.json").read_text())


class Recorder(httpx.WSGITransport):
    """The app in-process, remembering every request (method, path, body size) the client sent."""

    def __init__(self, app: Any) -> None:
        super().__init__(app=app)
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return super().handle_request(request)

    def sent(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]


def make_client(app: Any, **kwargs: Any) -> tuple[Client, Recorder]:
    transport = Recorder(app)
    return Client(transport=transport, progress=False, sleep=lambda _s: None, **kwargs), transport


@pytest.fixture
def recorder_client(app) -> Iterator[tuple[Client, Recorder]]:
    client, transport = make_client(app)
    yield client, transport
    client.close()


@pytest.fixture
def fs(recorder_client) -> Client:
    return recorder_client[0]


@pytest.fixture
def stored(fs) -> list[int]:
    """The Port Selenko sample, stored (outlets created, with their `type` attribute)."""
    return fs.articles.upload(sample_articles(), create_missing=True).ids
