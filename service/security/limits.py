"""Rate limits per API key (per client address for anonymous requests), with flask-limiter.

Counts live in memory by default (one gunicorn worker's view only) and in Redis when ``REDIS_URL`` is
set, so that every worker and host shares them. The limit is application-wide per key
(``RATELIMIT_APPLICATION``, flask-limiter's own setting, e.g. ``FRAMESCOPE_RATELIMIT_APPLICATION=
"100 per minute;5000 per day"``); probes, docs and CORS preflights are not counted. A refusal is a
429 problem+json with ``Retry-After`` (rendered by the one error path in service.errors).
"""

from __future__ import annotations

from flask import Flask, Response, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from service.security.auth import PUBLIC_ENDPOINTS


def rate_limit_key() -> str:
    """Bucket for the request: the key's id when one was presented, else the client address."""
    key = g.get("api_key")
    return f"key:{key.id}" if key is not None else f"addr:{get_remote_address()}"


def is_exempt() -> bool:
    endpoint = request.endpoint or ""
    return request.method == "OPTIONS" or endpoint.startswith(PUBLIC_ENDPOINTS)


#: Answers that advise retrying later; flask-limiter adds ``Retry-After`` to every answer otherwise.
RETRY_STATUSES = frozenset({429, 503})


def drop_retry_after(response: Response) -> Response:
    """Keep ``Retry-After`` only on 429/503: on a 200 it tells clients to back off for no reason."""
    if response.status_code not in RETRY_STATUSES:
        response.headers.pop("Retry-After", None)
    return response


def init_app(app: Flask) -> Limiter:
    """Create the limiter; must run after the auth hook so ``g.api_key`` is known when counting."""
    config = app.config
    config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # Redis unreachable: count in this worker's memory until it is back, rather than answer 500s.
    config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    if not config.get("RATELIMIT_STORAGE_URI"):
        config["RATELIMIT_STORAGE_URI"] = config.get("REDIS_URL") or "memory://"
    app.after_request(drop_retry_after)  # registered first, so it runs after flask-limiter's hook
    limiter = Limiter(rate_limit_key, key_prefix="framescope", application_limits_exempt_when=is_exempt)
    limiter.request_filter(is_exempt)
    limiter.init_app(app)
    app.extensions["framescope"]["limiter"] = limiter
    return limiter
