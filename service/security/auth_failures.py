"""Failed authentications are counted per client address and refused before any key lookup.

Issue 16: authentication ran before the rate limiter, so invalid or missing keys were never limited
(900 bad keys in 3 s, each a database lookup). Now every failure counts against the client address
(``AUTH_FAILURE_LIMIT``, default 30 per minute, in the same store as the request limits: Redis when
configured), and an address over it gets 429 with ``Retry-After`` before its key is looked up.
If the counter store fails, authentication proceeds as usual (the request limits fall back too).
"""

from __future__ import annotations

import logging
import time

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import abort
from limits import RateLimitItem, parse_many

log = logging.getLogger("framescope.auth")
NAMESPACE = "auth-failures"


def _failure_limits() -> tuple[Limiter | None, list[RateLimitItem]]:
    limiter = current_app.extensions["framescope"].get("limiter")
    if limiter is None or not limiter.enabled:
        return None, []
    return limiter, parse_many(str(current_app.config["AUTH_FAILURE_LIMIT"]))


def refuse_after_auth_failures() -> None:
    """429 problem+json (with ``Retry-After``) once this address has failed too often."""
    limiter, failure_limits = _failure_limits()
    address = get_remote_address()
    for limit in failure_limits:
        try:
            if limiter.limiter.test(limit, NAMESPACE, address):
                continue
            reset = limiter.limiter.get_window_stats(limit, NAMESPACE, address).reset_time
        except Exception:  # the counter store is down: authenticate as usual
            log.warning("auth failure counter unavailable", exc_info=True)
            return
        retry_after = str(max(1, int(reset - time.time()) + 1))
        abort(
            429,
            message=f"Too many failed authentications from this address ({limit}; "
            f"FRAMESCOPE_AUTH_FAILURE_LIMIT); retry after {retry_after} s.",
            headers={"Retry-After": retry_after},
        )


def count_auth_failure() -> None:
    """Add one failed authentication to this client address's count."""
    limiter, failure_limits = _failure_limits()
    for limit in failure_limits:
        try:
            limiter.limiter.hit(limit, NAMESPACE, get_remote_address())
        except Exception:
            log.warning("auth failure counter unavailable", exc_info=True)
            return
