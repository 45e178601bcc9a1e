"""Spread connections over gunicorn's workers: accept one at a time, never while busy, shed when queued.

Why: every worker waits on the one listening socket the master owns, and asyncio's stock server
accepts up to 100 connections per wake-up. The first worker to wake took all eight keep-alive
connections of a benchmark (worker CPU seconds [0.0, 20.9]), so one core idled while the other
queued: 100 req/s and p99 116 ms. Three rules fix that without giving up the shared socket (worker
restarts, graceful reloads and systemd socket activation keep working as before):

1. :class:`FairListener` accepts **one** connection per wake-up. Every idle worker is woken by the
   kernel for the same connection, so a burst is split between them instead of swallowed by one.
2. A worker that is **busy** (as many requests in its thread pool as it has threads) gives its
   siblings ``PAUSE_SECONDS`` of first pick: it stops watching the socket, and a sibling with a free
   thread takes the connection; if none does, the busy worker accepts it when it looks again, so a
   connection never waits longer than that for every worker to be busy. A worker with
   ``worker_connections`` open (gunicorn's setting, default 1,000) accepts nothing until one closes.
3. A keep-alive connection is closed after its response (``Connection: close``) when the worker has
   at least as many other requests running as threads (:class:`KeepAliveShedder`, at most one per
   ``SHED_INTERVAL_SECONDS``): the client reconnects, and by rule 2 lands on a worker with a free
   thread. Load that stays balanced never sheds.

Slow clients (service/asgi.py) are unaffected: a request being read is not in the thread pool, so it
never makes a worker busy.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import math
import socket
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("framescope.balancing")

#: How long a busy worker leaves a waiting connection to its siblings before taking it itself.
PAUSE_SECONDS = 0.002
#: A worker sheds at most one keep-alive connection per this many seconds (rule 3).
SHED_INTERVAL_SECONDS = 0.1
#: After running out of file descriptors (or memory), wait this long before accepting again.
RESOURCE_PAUSE_SECONDS = 1.0
_RESOURCE_ERRORS = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}


def pool_load(app: Any) -> tuple[int, int]:
    """``(requests in the thread pool, threads)`` of a :class:`service.asgi.BufferedWSGI`, else (0, 0)."""
    return getattr(app, "in_flight", 0), getattr(app, "threads", 0)


def threads_taken(app: Any) -> bool:
    """Every thread of the worker's pool has a request (running or queued): a new one would wait."""
    in_flight, threads = pool_load(app)
    return threads > 0 and in_flight >= threads


class KeepAliveShedder:
    """Rule 3: close a response's keep-alive connection while the worker's threads are all taken.

    At most one connection per ``interval`` seconds: that is enough to move a client off a worker
    holding too many, and when every worker is overloaded (shedding cannot help) it keeps the cost
    of reconnecting to a few connections a second instead of one per request.
    """

    def __init__(self, interval: float = SHED_INTERVAL_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.interval = interval
        self.clock = clock
        self.last = -math.inf

    def __call__(self, app: Any) -> bool:
        if not threads_taken(app):
            return False
        now = self.clock()
        if now - self.last < self.interval:
            return False
        self.last = now
        return True


class FairListener:
    """The part of ``asyncio.Server`` gunicorn's worker uses, accepting by the rules above."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sock: socket.socket,
        protocol_factory: Callable[[], asyncio.Protocol],
        busy: Callable[[], bool],
        full: Callable[[], bool] = lambda: False,
        ssl: Any = None,
        pause: float = PAUSE_SECONDS,
    ) -> None:
        self.loop = loop
        self.sock = sock
        self.sockets = [sock]
        self.protocol_factory = protocol_factory
        self.busy = busy
        self.full = full
        self.ssl = ssl
        self.pause = pause
        self._deferred = False  # this worker was busy and let its siblings pick first once
        self._watching = False
        self._closed = False
        self._resume: asyncio.TimerHandle | None = None
        self._handshakes: set[asyncio.Task] = set()
        sock.setblocking(False)

    def start_serving(self) -> None:
        if not self._closed and not self._watching:
            self.loop.add_reader(self.sock.fileno(), self._on_readable)
            self._watching = True

    def _pause(self, seconds: float) -> None:
        if self._watching:
            self.loop.remove_reader(self.sock.fileno())
            self._watching = False
        if self._resume is None:
            self._resume = self.loop.call_later(seconds, self._wake)

    def _wake(self) -> None:
        self._resume = None
        self.start_serving()

    def _on_readable(self) -> None:
        if self.full():
            self._pause(self.pause)
            return
        if self.busy() and not self._deferred:
            self._deferred = True
            self._pause(self.pause)
            return
        self._deferred = False
        try:
            conn, _ = self.sock.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return  # a sibling took it, or the client gave up already
        except OSError as exc:
            if exc.errno not in _RESOURCE_ERRORS:
                raise
            log.error("cannot accept a connection (%s); pausing %.0f s", exc, RESOURCE_PAUSE_SECONDS)
            self._pause(RESOURCE_PAUSE_SECONDS)
            return
        conn.setblocking(False)
        task = self.loop.create_task(self._connect(conn))
        self._handshakes.add(task)
        task.add_done_callback(self._handshakes.discard)

    async def _connect(self, conn: socket.socket) -> None:
        try:
            await self.loop.connect_accepted_socket(self.protocol_factory, conn, ssl=self.ssl)
        except (TimeoutError, OSError) as exc:  # e.g. a failed TLS handshake
            log.debug("connection dropped before it started: %s", exc)
            conn.close()

    def close(self) -> None:
        """Stop accepting (gunicorn's shutdown); open connections finish on their own."""
        self._closed = True
        if self._resume is not None:
            self._resume.cancel()
            self._resume = None
        if self._watching:
            self.loop.remove_reader(self.sock.fileno())
            self._watching = False

    async def wait_closed(self) -> None:
        if self._handshakes:
            await asyncio.wait(set(self._handshakes))


class FairAcceptLoop(asyncio.SelectorEventLoop):
    """The worker's event loop: ``create_server(sock=...)`` gives a :class:`FairListener`.

    gunicorn's ASGI worker calls ``create_server`` once per inherited listening socket; everything
    else is asyncio's own loop.
    """

    def __init__(
        self, busy: Callable[[], bool], full: Callable[[], bool] = lambda: False, pause: float = PAUSE_SECONDS
    ) -> None:
        super().__init__()
        self.busy = busy
        self.full = full
        self.pause = pause

    async def create_server(  # type: ignore[override]
        self, protocol_factory: Callable[[], asyncio.Protocol], *args: Any, **kwargs: Any
    ) -> Any:
        sock = kwargs.get("sock")
        if sock is None or args:  # an address to bind: not gunicorn's worker; asyncio's own server
            return await super().create_server(protocol_factory, *args, **kwargs)
        listener = FairListener(
            self, sock, protocol_factory, self.busy, self.full, ssl=kwargs.get("ssl"), pause=self.pause
        )
        if kwargs.get("start_serving", True):
            listener.start_serving()
        return listener
