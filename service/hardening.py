"""Defences that sit around every request (issue 16), installed by ``service.security.init_app``.

* Strict JSON bodies: the number of values is counted on the raw bytes before any object is built
  (``MAX_JSON_VALUES``), so a 64 MB ``[{},{},…]`` cannot grow a worker to gigabytes; parsed values
  holding a non-finite number (``1e400``) or a lone surrogate (``"\\ud800"``) are a 422 naming the field.
* Query arguments with U+0000 are a 422 naming the argument (PostgreSQL cannot compare such text).
* ``Host`` must be an allowed name (``ALLOWED_HOSTS``); by default, with keys off (the laptop mode),
  only loopback names, so a web page on another site cannot drive the keyless server through DNS
  rebinding. With keys required any host is accepted unless the list is set.
* ``X-Content-Type-Options: nosniff`` on every answer.
* HTML pages the app serves itself (``/dashboard``) carry :data:`PAGE_SECURITY_HEADERS`: a
  Content-Security-Policy that runs only scripts served from this origin (no inline script, no
  ``eval``: Vega evaluates chart expressions with vega-interpreter), connects only to this origin
  and cannot be framed.
* ``/ready`` checks Redis when ``REDIS_URL`` is set.
"""

from __future__ import annotations

import math
import re
from typing import Any

from flask import Flask, Response, current_app, request
from webargs.flaskparser import abort

#: Defaults of the settings this module reads (``FRAMESCOPE_<NAME>`` overrides them).
DEFAULTS: dict[str, Any] = {
    # Values (objects, arrays, strings, numbers, literals) in one JSON body. A 10,000-article batch
    # has ~100,000; each value costs at most a few hundred bytes once parsed, and a few microseconds
    # of validation (a body of nothing but unknown fields makes one error message per value).
    "MAX_JSON_VALUES": 250_000,
    # None: loopback names when AUTH_REQUIRED is false, any host when it is true. ["*"]: any host.
    "ALLOWED_HOSTS": None,
    # Serialised size of an outlet's free-form ``metadata`` (bytes of JSON).
    "MAX_METADATA_BYTES": 16_384,
    # Failed authentications per client address before 429 (no database lookup while over it).
    "AUTH_FAILURE_LIMIT": "30 per minute",
}
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
#: Headers of the app's own HTML pages. Styles may be inline: Vega positions tooltips and sizes charts
#: through ``style`` attributes (scripts stay strictly same-origin files).
PAGE_SECURITY_HEADERS = {
    "Content-Security-Policy": "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    ),
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

_STRING = re.compile(rb'"[^"]*"')
_SURROGATE = re.compile("[\ud800-\udfff]")
#: A lone surrogate can only arrive as an escape (UTF-8 cannot carry one): ``\\uD800``-``\\uDFFF``.
_SURROGATE_ESCAPES = (b"\\ud", b"\\uD")


def count_json_values(body: bytes, limit: int | None = None, *, ndjson: bool = False) -> int:
    """Upper bound on the values a JSON (or NDJSON) body parses into, without building any.

    Strings are blanked out first (they may hold any punctuation): escaped backslashes and quotes go,
    then every ``"..."``; then every value but the first of a container follows a comma, and every
    container adds one for itself. Linear passes: nothing here can retry a long scan (one string
    regex that allows escapes rescans to the end from every quote of an unterminated string). Each
    string is a value, so blanking stops after ``limit`` of them: the body is over the limit anyway.
    In NDJSON each line is one more value.
    """
    unescaped = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    skeleton, n_strings = _STRING.subn(b'""', unescaped, count=0 if limit is None else limit + 1)
    if limit is not None and n_strings > limit:
        return n_strings
    n_lines = skeleton.count(b"\n") if ndjson else 0
    return skeleton.count(b",") + skeleton.count(b"[") + skeleton.count(b"{") + n_lines + 1


def check_json_size(body: bytes, *, ndjson: bool = False) -> None:
    """422 naming ``FRAMESCOPE_MAX_JSON_VALUES`` when the body holds too many values to parse."""
    limit = int(current_app.config["MAX_JSON_VALUES"])
    n_lines = body.count(b"\n") if ndjson else 0
    if body.count(b",") + body.count(b"[") + body.count(b"{") + n_lines < limit:
        return  # cheap pre-check: the string-blanking pass can only lower the count
    n_values = count_json_values(body, limit, ndjson=ndjson)
    if n_values > limit:
        message = f"At most {limit} JSON values per body (limit FRAMESCOPE_MAX_JSON_VALUES); got more."
        abort(422, messages={"json": [message]})


def invalid_value_path(value: Any, *, surrogates: bool = True) -> tuple[tuple, str] | None:
    """Path to the first non-finite number or (with ``surrogates``) lone surrogate, and why."""
    stack: list[tuple[Any, tuple]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return path, "Not a finite number (JSON numbers must fit a 64-bit float)."
        if surrogates and isinstance(item, str) and _SURROGATE.search(item):
            return path, "Contains a lone UTF-16 surrogate escape (not valid Unicode)."
        if isinstance(item, dict):
            for key, child in item.items():
                if surrogates and _SURROGATE.search(key):
                    shown = key.encode("utf-8", "backslashreplace").decode()
                    return (*path, shown), "Key contains a lone UTF-16 surrogate escape (not valid Unicode)."
                stack.append((child, (*path, key)))
        elif isinstance(item, list):
            stack.extend((child, (*path, index)) for index, child in enumerate(item))
    return None


def refuse_invalid_values(value: Any, body: bytes) -> None:
    """422 naming the field that holds a non-finite number or a lone surrogate (parsed from ``body``).

    Strings are searched for surrogates only when the body holds a ``\\uD...`` escape (a C-speed
    ``find``); numbers are always checked (a type test per value, ~0.05 s for 10,000 articles).
    """
    surrogates = any(escape in body for escape in _SURROGATE_ESCAPES)
    found = invalid_value_path(value, surrogates=surrogates)
    if found is None:
        return
    path, detail = found
    messages: Any = [detail]
    for part in reversed(path):
        messages = {part: messages}
    abort(422, messages={"json": messages})


def check_query_args() -> None:
    """``before_request``: U+0000 in any query argument (name or value) is a 422 naming it."""
    bad = sorted({name for name, value in request.args.items(multi=True) if "\x00" in name + value})
    if bad:
        detail = "Must not contain the NUL character (\\u0000)."
        abort(422, messages={"query": {name.replace("\x00", "\\u0000"): [detail] for name in bad}})


def allowed_hosts(app: Flask) -> tuple[str, ...] | None:
    """The configured host names, loopback names in keyless mode, or None for any host."""
    configured = app.config.get("ALLOWED_HOSTS")
    if configured is None:
        return None if app.config["AUTH_REQUIRED"] else LOOPBACK_HOSTS
    if isinstance(configured, str):
        configured = [name.strip() for name in configured.split(",") if name.strip()]
    return None if "*" in configured else tuple(name.lower() for name in configured)


def host_name(host: str) -> str:
    """``Host`` without its port: ``[::1]:8000`` → ``::1``, ``Example.org:443`` → ``example.org``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def check_host() -> None:
    """``before_request``: 400 problem+json naming the ``Host`` header when it is not allowed."""
    allowed = current_app.extensions["framescope"]["allowed_hosts"]
    if allowed is None:
        return
    name = host_name(request.headers.get("Host", ""))
    if name not in allowed:
        detail = (
            f"Host {name!r} is not served here (allowed: {', '.join(allowed)}; FRAMESCOPE_ALLOWED_HOSTS)."
        )
        abort(400, message="The Host header is not allowed.", messages={"headers": {"Host": [detail]}})


def add_security_headers(response: Response) -> Response:
    """``after_request``: browsers must not sniff a JSON or CSV answer into HTML or script."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def add_page_security_headers(response: Response) -> Response:
    """``after_request`` of blueprints serving HTML pages: :data:`PAGE_SECURITY_HEADERS`."""
    response.headers.update(PAGE_SECURITY_HEADERS)
    return response


def redis_is_reachable(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    finally:
        client.close()


def init_app(app: Flask) -> None:
    """Install the checks; settings come from ``app.config`` (defaults above, then the environment)."""
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    state = app.extensions["framescope"]
    state["allowed_hosts"] = allowed_hosts(app)
    app.before_request(check_host)
    app.before_request(check_query_args)
    app.after_request(add_security_headers)
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        state.setdefault("ready_checks", {})["redis"] = lambda: redis_is_reachable(redis_url)
