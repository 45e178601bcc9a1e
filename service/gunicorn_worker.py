"""The gunicorn (asyncio) worker whose own refusals are problem+json too, like every answer of the app.

gunicorn answers some requests before the app sees them: a request line over ``limit_request_line``
(414), headers over ``limit_request_field_size`` / ``limit_request_fields`` (431), malformed HTTP
(400). Its stock answer is an HTML (or plain text) page; schemathesis found the 414 (a long query
string) breaking the API's documented error media type. This worker lets gunicorn decide status
and logging as usual and only rewrites the body it sends into RFC 9457 ``application/problem+json``.

The worker also accepts connections by the rules of service/balancing.py, so that keep-alive clients
are spread over every worker instead of all landing on the first one to wake.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from http import HTTPStatus
from typing import Any

from gunicorn.asgi.protocol import ASGIProtocol
from gunicorn.workers import gasgi

from service.balancing import FairAcceptLoop, KeepAliveShedder, threads_taken


def problem_bytes(status_line: str) -> bytes:
    """A complete HTTP/1.1 problem+json response for ``"414 URI Too Long"``-style status lines."""
    status, _, reason = status_line.partition(" ")
    request_id = uuid.uuid4().hex
    body = json.dumps(
        {
            "type": "about:blank",
            "title": reason,
            "status": int(status),
            "detail": f"The HTTP server refused the request before the API saw it: {reason}.",
            "request_id": request_id,
        }
    ).encode("utf-8")
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n"
        f"X-Request-ID: {request_id}\r\nX-Content-Type-Options: nosniff\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class ProblemASGIProtocol(ASGIProtocol):
    """gunicorn's asyncio HTTP protocol: problem+json for the requests it refuses itself, and
    keep-alive connections shed while every thread of the worker is taken (service/balancing.py).
    """

    def _will_close(self, request: Any, response_requires_close: bool) -> bool:
        """gunicorn's decision, or shed; decided once per request, because gunicorn asks again after
        the body and a second, different answer would close a connection announced as keep-alive
        (the client's next request then fails: RemoteDisconnected)."""
        if super()._will_close(request, response_requires_close):
            return True
        decided = getattr(self, "_shed_decision", None)
        if decided is None or decided[0] is not request:
            decided = self._shed_decision = (request, self.worker.shed(self.app))
        return decided[1]

    def _send_error_response(self, status: int, message: str, extra_headers: Any = ()) -> None:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Error"
        self._safe_write(problem_bytes(f"{status} {reason}"))


class ProblemASGIWorker(gasgi.ASGIWorker):
    """The asyncio worker of gunicorn.conf.py (see service/asgi.py), with problem+json error pages.

    gunicorn builds its protocol by the module-level name ``ASGIProtocol`` of ``gunicorn.workers.gasgi``;
    the worker process (only) points that name at :class:`ProblemASGIProtocol` before serving.
    """

    def init_process(self) -> None:
        gasgi.ASGIProtocol = ProblemASGIProtocol  # type: ignore[misc]
        self.shed = KeepAliveShedder()
        super().init_process()

    def _setup_event_loop(self) -> None:
        """asyncio's loop, whose servers accept fairly (service/balancing.py); never uvloop."""
        self.loop = FairAcceptLoop(busy=lambda: threads_taken(self.asgi), full=self.is_full)
        asyncio.set_event_loop(self.loop)

    def is_full(self) -> bool:
        """gunicorn's ``worker_connections`` are open: accept nothing more until one closes."""
        return self.nr_conns >= self.worker_connections
