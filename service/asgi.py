"""The Flask (WSGI) app behind gunicorn's asyncio worker: each request is read in full first.

Why: gunicorn's threaded worker hands a connection to a thread as soon as its first byte arrives, so
clients that send headers or a body slowly each hold a thread (issue 16: eight such connections
stopped every normal request for 30 s). Here gunicorn's ``asgi`` worker parses requests on an event
loop, where a waiting connection costs a few kilobytes, and :class:`BufferedWSGI` collects the body
(in memory up to ``SPOOL_BYTES``, then in a temporary file) before a thread of a bounded pool runs
the Flask app. A thread is therefore only ever busy with a complete request.

The body is read no further than ``MAX_CONTENT_LENGTH``: a declared ``Content-Length`` over it is not
read at all and a chunked body is cut one byte past it (and its size passed on as ``CONTENT_LENGTH``),
so Flask answers 413 as before.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from tempfile import SpooledTemporaryFile
from typing import IO, Any
from urllib.parse import unquote_to_bytes

log = logging.getLogger("framescope.asgi")

#: Bodies up to this size stay in memory while they arrive; larger ones go to a temporary file.
SPOOL_BYTES = 1024 * 1024
_PLAIN_HEADERS = {"CONTENT_TYPE", "CONTENT_LENGTH"}
_FAILED = (
    500,
    [(b"content-type", b"application/problem+json"), (b"x-content-type-options", b"nosniff")],
    [b'{"type": "about:blank", "title": "Internal Server Error", "status": 500}'],
)

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


def declared_length(headers: Iterable[tuple[bytes, bytes]]) -> int | None:
    """The request's ``Content-Length`` as a number, or None when absent or not a number."""
    for name, value in headers:
        if name.lower() == b"content-length":
            return int(value) if value.strip().isdigit() else None
    return None


def build_environ(scope: dict[str, Any], body: IO[bytes]) -> dict[str, Any]:
    """A PEP 3333 environ from an ASGI HTTP scope (paths as latin-1 strings of their UTF-8 bytes)."""
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
    server = scope.get("server") or ("localhost", 80)
    client = scope.get("client") or ("", 0)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": scope.get("root_path", "").encode("utf-8").decode("latin-1"),
        "PATH_INFO": unquote_to_bytes(raw_path.split(b"?", 1)[0]).decode("latin-1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "REMOTE_ADDR": str(client[0]),
        "REMOTE_PORT": str(client[1]),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": body,
        "wsgi.input_terminated": True,  # the body is complete (or cut at the limit): read to its end
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for name, value in scope.get("headers", ()):
        key = name.decode("latin-1").upper().replace("-", "_")
        key = key if key in _PLAIN_HEADERS else "HTTP_" + key
        text = value.decode("latin-1")
        environ[key] = f"{environ[key]},{text}" if key in environ and key.startswith("HTTP_") else text
    return environ


def run_wsgi(
    app: WSGIApp, environ: dict[str, Any], stream: Callable[[dict[str, Any]], None] | None = None
) -> tuple[int, list[tuple[bytes, bytes]], list[bytes]] | None:
    """Call the WSGI app in a pool thread; return its whole answer, or stream it and return None.

    An answer of one chunk (every ordinary Flask response) is returned whole. A streamed one (an
    export: a generator yielding many chunks) is handed to ``stream`` as ASGI messages, chunk by
    chunk, from this same thread (so ``stream_with_context`` keeps its request context), and
    ``stream`` blocks until each is written: memory stays at one chunk. A failure after the first
    chunk is raised, so the server drops the connection rather than end a truncated body cleanly.
    """
    started: list[Any] = []
    streaming = False

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
        started[:] = [status, headers]
        return lambda data: None  # the legacy write() callable; Flask never uses it

    try:
        result = app(environ, start_response)
        try:
            chunks = iter(result)
            first = [bytes(chunk) for chunk in itertools.islice(chunks, 2)]
            status, headers = started
            encoded = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
            if len(first) < 2 or stream is None:
                return int(status.split(" ", 1)[0]), encoded, first + [bytes(chunk) for chunk in chunks]
            streaming = True
            stream(
                {"type": "http.response.start", "status": int(status.split(" ", 1)[0]), "headers": encoded}
            )
            for chunk in itertools.chain(first, chunks):
                if chunk:
                    stream({"type": "http.response.body", "body": bytes(chunk), "more_body": True})
            stream({"type": "http.response.body", "body": b"", "more_body": False})
            return None
        finally:
            getattr(result, "close", lambda: None)()
    except Exception:  # Flask renders its own errors; this is the server's last resort
        log.exception("WSGI app failed")
        if streaming:  # the status line is sent: only dropping the connection tells the client
            raise
        return _FAILED
    finally:
        environ["wsgi.input"].close()


class BufferedWSGI:
    """ASGI application running a WSGI app on complete requests only (see the module docstring)."""

    def __init__(
        self,
        app: WSGIApp,
        *,
        threads: int = 4,
        max_body: int | None = None,
        large_bodies: dict[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.large_bodies = large_bodies or {}  # path -> its own limit (file uploads: import jobs)
        self.threads = threads
        #: requests handed to the pool and not yet answered (event-loop thread only): a worker with
        #: ``in_flight >= threads`` is busy and lets its siblings accept (service/balancing.py)
        self.in_flight = 0
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="wsgi")

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
            return
        if scope["type"] != "http":  # websockets: not part of this API
            await send({"type": "websocket.close", "code": 1000})
            return
        body = await self.read_body(scope, receive)
        if body is None:  # the client went away before its request was complete
            return
        environ = build_environ(scope, body)
        if "CONTENT_LENGTH" not in environ:  # chunked: the size is known now (limit + 1 if cut: a 413)
            environ.pop("HTTP_TRANSFER_ENCODING", None)  # already decoded here
            environ["CONTENT_LENGTH"] = str(body.seek(0, 2))
            body.seek(0)
        loop = asyncio.get_running_loop()

        def stream(message: dict[str, Any]) -> None:  # from the pool thread: wait until it is written
            asyncio.run_coroutine_threadsafe(send(message), loop).result()

        self.in_flight += 1
        try:
            answer = await loop.run_in_executor(self.executor, run_wsgi, self.app, environ, stream)
        finally:
            self.in_flight -= 1
        if answer is None:  # streamed by run_wsgi
            return
        status, headers, chunks = answer
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"".join(chunks)})

    async def read_body(self, scope: dict[str, Any], receive: Callable) -> IO[bytes] | None:
        """The whole body, spooled; at most ``max_body + 1`` bytes are kept, so Flask still sees 413."""
        body: IO[bytes] = SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed by run_wsgi
        limit = self.large_bodies.get(scope.get("path", ""), self.max_body)
        declared = declared_length(scope.get("headers", ()))
        if limit is not None and declared is not None and declared > limit:
            return body  # Flask refuses it from the header alone; nothing is read
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                body.close()
                return None
            chunk = message.get("body", b"")
            if limit is not None and size + len(chunk) > limit:
                body.write(chunk[: limit + 1 - size])
                break
            size += len(chunk)
            body.write(chunk)
            if not message.get("more_body"):
                break
        body.seek(0)
        return body

    async def lifespan(self, receive: Callable, send: Callable) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.executor.shutdown(wait=False)
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_asgi_app(threads: int = 4) -> BufferedWSGI:
    """gunicorn entry point (``gunicorn.conf.py``): the Flask app, one per worker, read-ahead wrapped."""
    from service import create_app

    app = create_app()
    uploads = {"/v1/jobs/import": int(app.config["MAX_IMPORT_BYTES"])}  # spooled to a temporary file
    return BufferedWSGI(
        app, threads=threads, max_body=app.config.get("MAX_CONTENT_LENGTH"), large_bodies=uploads
    )
