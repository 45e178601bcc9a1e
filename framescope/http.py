"""The HTTP layer under every client call: base URL, API key, retries, problem+json errors, pages.

Retries are bounded and only where a retry cannot do harm: a 429 or 503 (the server said "later",
nothing was done; ``Retry-After`` says how long to wait) and a failed connection (nothing was sent).
"""

from __future__ import annotations

import email.utils
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import Any

import httpx

from framescope.errors import FramescopeConnectionError, FramescopeError, RateLimitError

DEFAULT_URL = "http://127.0.0.1:8000"
RETRY_STATUSES = frozenset({429, 503})
PROBLEM_TYPES = ("application/problem+json", "application/json")


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class HttpSession:
    """One ``httpx.Client`` with the key, the retry policy and the error translation.

    ``transport`` is any httpx transport: ``httpx.WSGITransport(app=create_app(...))`` runs the real
    Flask app in-process (tests, notebooks without a server). ``sleep`` is injectable so tests of the
    retry policy do not wait.
    """

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float = 300.0,
        max_retries: int = 5,
        max_retry_wait: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        connect_retries: int = 3,
        sleep: Callable[[float], None] | None = None,
        user_agent: str = "framescope-client",
    ) -> None:
        self.base_url = (base_url or os.environ.get("FRAMESCOPE_URL") or DEFAULT_URL).rstrip("/")
        key = api_key if api_key is not None else os.environ.get("FRAMESCOPE_API_KEY")
        headers = {"User-Agent": user_agent, "Accept": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self.connect_retries = connect_retries
        self.sleep = sleep or time.sleep
        self.http = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout, transport=transport
        )

    def close(self) -> None:
        self.http.close()

    # -- requests -------------------------------------------------------------------------------

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send, retrying 429/503 and failed connections (bounded); raise ``FramescopeError`` on >= 400."""
        response = self._send(method, path, stream=False, **kwargs)
        if response.status_code >= 400:
            raise self.error(response)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        return response.json() if response.content else None

    @contextmanager
    def stream(self, method: str, path: str, **kwargs: Any) -> Iterator[httpx.Response]:
        """A streamed answer (exports): the body is read chunk by chunk by the caller."""
        response = self._send(method, path, stream=True, **kwargs)
        try:
            if response.status_code >= 400:
                response.read()
                raise self.error(response)
            yield response
        finally:
            response.close()

    def _send(self, method: str, path: str, *, stream: bool, **kwargs: Any) -> httpx.Response:
        attempt = 0
        while True:
            try:
                request = self.http.build_request(method, path, **kwargs)
                response = self.http.send(request, stream=stream)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if attempt >= min(self.max_retries, self.connect_retries):
                    raise FramescopeConnectionError(
                        status=None, title="Cannot connect", detail=f"{self.base_url}: {exc}"
                    ) from exc
                self.sleep(min(self.max_retry_wait, 0.5 * 2**attempt))
                attempt += 1
                continue
            except httpx.TimeoutException as exc:
                raise FramescopeConnectionError(
                    status=None, title="Timed out", detail=f"{method} {path}: no answer ({exc})"
                ) from exc
            except httpx.TransportError as exc:
                raise FramescopeConnectionError(
                    status=None, title="Connection failed", detail=f"{method} {path}: {exc}"
                ) from exc
            if response.status_code not in RETRY_STATUSES or attempt >= self.max_retries:
                return response
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            if wait is None:
                wait = 0.5 * 2**attempt
            elif wait < 1:
                wait = 1.0  # whole seconds, rounded down: "0" means "within the second", not "now"
            if wait > self.max_retry_wait:
                return response  # the server asks for longer than we may wait: report it now
            response.close()
            self.sleep(wait)
            attempt += 1

    def error(self, response: httpx.Response) -> FramescopeError:
        """The typed exception for an error answer, with the problem+json fields."""
        body: Any = response.text
        if response.headers.get("content-type", "").split(";")[0].strip() in PROBLEM_TYPES:
            with suppress(json.JSONDecodeError, UnicodeDecodeError):
                body = response.json()
        error = FramescopeError.from_response(
            response.status_code, body, response.headers.get("X-Request-ID")
        )
        if isinstance(error, RateLimitError):
            error.retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        return error

    # -- pages ----------------------------------------------------------------------------------

    def pages(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[list[dict[str, Any]]]:
        """Every page of a cursor-paginated list, following ``next`` until it is null."""
        url: str | None = path
        query: dict[str, Any] | None = clean_params(params or {})
        while url:
            body = self.json("GET", url, params=query)
            yield body["items"]
            url, query = self.same_origin(body.get("next")), None  # ``next`` carries every parameter

    def same_origin(self, url: str | None) -> str | None:
        """A link from the server, sent to the server we talk to: behind a proxy the server may name
        itself by an address we cannot reach (and the key must not go to another host)."""
        if not url:
            return None
        link, base = httpx.URL(url), httpx.URL(self.base_url)
        if (link.scheme, link.host, link.port) == (base.scheme, base.host, base.port):
            return url
        return link.raw_path.decode("ascii")


def clean_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Query parameters as the server reads them: None dropped, lists joined by commas, booleans in
    lower case, datetimes in ISO 8601."""
    out: dict[str, Any] = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, list | tuple | set | frozenset):
            value = ",".join(str(v) for v in value)
        out[name] = value
    return out
