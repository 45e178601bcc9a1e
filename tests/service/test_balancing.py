"""Connections are spread over gunicorn's workers (service/balancing.py).

Issue 13: asyncio's stock server accepted every waiting connection at once, so eight keep-alive
clients all landed on the first worker to wake (worker CPU seconds [0.0, 20.9]) and one core idled.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import shutil
import socket
import threading
import time
from types import SimpleNamespace

import psutil
import pytest

from service.balancing import FairAcceptLoop, KeepAliveShedder
from tests.service.live import live_server


class Counting(asyncio.Protocol):
    made: list[object] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        Counting.made.append(transport)


@pytest.fixture()
def listening():
    sock = socket.create_server(("127.0.0.1", 0))
    clients: list[socket.socket] = []
    Counting.made = []
    yield sock, clients
    for client in clients:
        client.close()
    sock.close()


def connect(sock: socket.socket, clients: list[socket.socket], n: int) -> None:
    for _ in range(n):
        clients.append(socket.create_connection(sock.getsockname()))


def test_a_busy_worker_gives_its_siblings_first_pick_then_accepts(listening):
    sock, clients = listening
    loop = FairAcceptLoop(busy=lambda: True, pause=0.3)
    try:
        loop.run_until_complete(loop.create_server(Counting, sock=sock))
        connect(sock, clients, 1)
        loop.run_until_complete(asyncio.sleep(0.15))
        assert Counting.made == []  # still in the kernel's backlog, for an idle sibling to take
        loop.run_until_complete(asyncio.sleep(0.4))
        assert len(Counting.made) == 1  # nobody took it: never starved by a worker staying busy
    finally:
        loop.close()


def test_a_worker_with_worker_connections_open_accepts_nothing_until_one_closes(listening):
    sock, clients = listening
    full = [True]
    loop = FairAcceptLoop(busy=lambda: False, full=lambda: full[0], pause=0.05)
    try:
        loop.run_until_complete(loop.create_server(Counting, sock=sock))
        connect(sock, clients, 2)
        loop.run_until_complete(asyncio.sleep(0.3))
        assert Counting.made == []
        full[0] = False
        loop.run_until_complete(asyncio.sleep(0.2))
        assert len(Counting.made) == 2
    finally:
        loop.close()


def test_one_connection_is_accepted_per_wake_up(listening):
    """asyncio's own server takes up to 100 waiting connections per wake-up; this takes one."""
    sock, clients = listening
    loop = FairAcceptLoop(busy=lambda: False)
    try:
        listener = loop.run_until_complete(loop.create_server(Counting, sock=sock, start_serving=False))
        connect(sock, clients, 3)
        time.sleep(0.05)
        listener._on_readable()  # what the event loop calls when the socket has connections waiting
        loop.run_until_complete(asyncio.sleep(0.05))
        assert len(Counting.made) == 1
    finally:
        loop.close()


def test_keep_alive_is_shed_while_every_thread_is_taken_at_most_once_per_interval():
    now = [100.0]
    shed = KeepAliveShedder(interval=0.1, clock=lambda: now[0])
    taken, free = SimpleNamespace(in_flight=4, threads=4), SimpleNamespace(in_flight=3, threads=4)
    assert not shed(free)
    assert shed(taken)
    now[0] += 0.05
    assert not shed(taken)  # every worker overloaded: reconnecting each request would not help
    now[0] += 0.06
    assert shed(taken)
    assert not shed(object())  # not the read-ahead wrapper: never


@pytest.fixture(scope="module")
def two_workers(sqlite_template, tmp_path_factory):
    directory = tmp_path_factory.mktemp("balancing")
    shutil.copy(sqlite_template, directory / "db.sqlite3")
    with live_server(f"sqlite:///{directory / 'db.sqlite3'}", directory, workers=2, threads=4) as live:
        deadline = time.monotonic() + 60
        while len(live.workers()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1)  # the second worker loads its model
        yield live


JSON = {"Content-Type": "application/json"}
ARTICLE = {
    "title": "Talks stall as shelling resumes",
    "text": " ".join(
        f"Negotiators met again on day {i} while artillery shelled the port and officials warned of "
        "escalation; aid agencies said civilians were fleeing."
        for i in range(40)
    ),
}


def test_eight_keep_alive_clients_are_served_by_both_workers(two_workers):
    """Eight connections opened at once (as wrk does), then ten requests each, concurrently."""
    host, port = two_workers.url.removeprefix("http://").split(":")
    connections = [http.client.HTTPConnection(host, int(port), timeout=30) for _ in range(8)]
    for conn in connections:  # a burst: all eight wait in the backlog together
        conn.connect()
    start = threading.Barrier(len(connections))
    statuses: list[int] = []

    def client(conn: http.client.HTTPConnection) -> None:
        start.wait()
        for _ in range(10):  # http.client reconnects by itself after a "Connection: close"
            conn.request("POST", "/v1/classify", body=json.dumps(ARTICLE), headers=JSON)
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)

    threads = [threading.Thread(target=client, args=(conn,)) for conn in connections]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert statuses == [200] * 80
        held = {
            pid: sum(
                1
                for c in psutil.Process(pid).net_connections(kind="tcp")
                if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == int(port)
            )
            for pid in two_workers.workers()
        }
        assert min(held.values()) >= 2, f"keep-alive connections per worker: {held}"
    finally:
        for conn in connections:
            conn.close()


def test_a_response_closes_its_connection_while_another_request_waits_for_the_thread(
    sqlite_template, tmp_path_factory
):
    directory = tmp_path_factory.mktemp("shedding")
    shutil.copy(sqlite_template, directory / "db.sqlite3")
    slow = {"text": ARTICLE["text"] * 60}  # 360,000 characters: the second request arrives meanwhile
    with live_server(f"sqlite:///{directory / 'db.sqlite3'}", directory, workers=1, threads=1) as live:
        host, port = live.url.removeprefix("http://").split(":")
        first, second = (http.client.HTTPConnection(host, int(port), timeout=30) for _ in range(2))
        try:
            first.request("POST", "/v1/classify", body=json.dumps(slow), headers=JSON)
            second.request("POST", "/v1/classify", body=json.dumps(ARTICLE), headers=JSON)
            answer_first = first.getresponse()
            answer_first.read()
            answer_second = second.getresponse()
            answer_second.read()
            assert answer_first.status == answer_second.status == 200
            # whichever was answered first had the other in the pool: that client reconnects
            # (elsewhere, with more workers); the one answered last had nothing waiting: keep-alive
            closes = sorted(a.getheader("Connection") == "close" for a in (answer_first, answer_second))
            assert closes == [False, True]
        finally:
            first.close()
            second.close()


def test_the_shed_decision_is_made_once_per_response():
    """gunicorn asks again after the body; a different second answer would close a connection the
    response announced as keep-alive, and the client's next request would find it gone."""
    from service.gunicorn_worker import ProblemASGIProtocol

    answers = iter([False, True, True])
    protocol = object.__new__(ProblemASGIProtocol)  # only what _will_close reads
    protocol.worker = SimpleNamespace(alive=True, nr=0, max_requests=10**9, shed=lambda _app: next(answers))
    protocol.app, protocol._keepalive = None, 5
    first, second = (SimpleNamespace(should_close=lambda: False) for _ in range(2))
    assert protocol._will_close(first, False) is False  # headers: keep-alive
    assert protocol._will_close(first, False) is False  # after the body: still keep-alive
    assert protocol._will_close(second, False) is True  # the next response decides afresh
