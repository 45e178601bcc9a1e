"""Slow clients never starve others: requests are read in full before a worker thread runs them.

Issue 16: with gunicorn's threaded worker, 8 connections sending one header line every 1.5 s (or a
slow body behind a large Content-Length) held every thread; 0 of 5 normal requests were answered for
30 s. Here 50 such connections stay open on loopback while normal requests are timed.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time

import pytest
import requests

from tests.service.live import live_server

N_SLOW = 50
N_NORMAL = 40


@pytest.fixture(scope="module")
def server(sqlite_template, tmp_path_factory):
    directory = tmp_path_factory.mktemp("slow-clients")
    shutil.copy(sqlite_template, directory / "db.sqlite3")
    with live_server(f"sqlite:///{directory / 'db.sqlite3'}", directory, workers=1, threads=4) as live:
        yield live


def trickle(url: str, index: int, stop: threading.Event) -> None:
    """One slow client: half send headers a line at a time, half a body a few bytes at a time."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        if index % 2:
            sock.sendall(b"GET /v1/outlets HTTP/1.1\r\nHost: localhost\r\n")
            while not stop.wait(0.5):
                sock.sendall(b"X-Slow: %d\r\n" % index)
        else:
            sock.sendall(
                b"POST /v1/classify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                b'Content-Length: 1000000\r\n\r\n{"text": "'
            )
            while not stop.wait(0.5):
                sock.sendall(b"slow ")


def test_normal_requests_are_answered_while_50_slow_clients_are_connected(server):
    stop = threading.Event()
    slow = [threading.Thread(target=trickle, args=(server.url, i, stop), daemon=True) for i in range(N_SLOW)]
    for thread in slow:
        thread.start()
    try:
        time.sleep(2)  # every slow client connected and trickling
        latencies = []
        for _ in range(N_NORMAL):
            start = time.monotonic()
            response = requests.get(server.url + "/v1/outlets", timeout=10, headers={"Connection": "close"})
            latencies.append(time.monotonic() - start)
            assert response.status_code == 200
        assert all(thread.is_alive() for thread in slow)  # still connected: nothing timed them out
    finally:
        stop.set()
        for thread in slow:
            thread.join(timeout=5)
    latencies.sort()
    p99 = latencies[int(0.99 * (len(latencies) - 1))]
    assert p99 < 1.0, latencies


def test_body_over_the_limit_is_refused_without_reading_it(server):
    """A declared Content-Length over MAX_CONTENT_LENGTH is a 413 problem+json straight away."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /v1/classify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Content-Length: 999999999999\r\n\r\n{"
        )
        head = sock.recv(65536).split(b"\r\n\r\n", 1)[0].lower()
    assert head.startswith(b"http/1.1 413") and b"content-type: application/problem+json" in head


def test_chunked_body_over_the_limit_is_refused(server):
    def chunks():
        for _ in range(70):
            yield b"[" + b" " * (1024 * 1024 - 1)

    response = requests.post(
        server.url + "/v1/classify", data=chunks(), headers={"Content-Type": "application/json"}, timeout=60
    )
    assert response.status_code == 413, response.text[:300]
    assert response.headers["Content-Type"] == "application/problem+json"
