"""Giving freed memory back to the system after large requests and job chunks (issue 13).

Why: a 1,000-article batch or job chunk allocates tens of MiB for a few seconds (request body, rows,
sentence matrices, results). Python frees them, but glibc's malloc keeps freed pages of its heaps
for reuse, so a worker's resident size stays at its high-water mark and creeps up with each thread
arena that served a large request. ``malloc_trim(0)`` returns every whole free page of every arena
(milliseconds). Elsewhere than glibc it is a no-op.

glibc also raises its mmap threshold to the size of every large block freed (up to 32 MiB): once
one batch's large arrays are freed, later arrays of up to that size come from
the heaps, where they fragment instead of going back to the system on ``free``. ``MMAP_THRESHOLD_BYTES``
pins the threshold (``mallopt``), which halved the RSS a worker kept after 1,000-article batches.

Two large batches at once in one worker double its peak and gain nothing, since their
classification holds the GIL: ``one_large_batch`` lets them take turns.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from flask import Flask, current_app, request


@cache
def _malloc_trim():  # noqa: ANN202 - a ctypes function or None
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        return None
    if trim is not None:
        trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


#: mallopt parameter number of M_MMAP_THRESHOLD (glibc malloc.h).
M_MMAP_THRESHOLD = -3


def pin_mmap_threshold(n_bytes: int) -> bool:
    """Serve blocks of ``n_bytes`` or more with their own mmap, always; True if glibc took it."""
    trim = _malloc_trim()
    if trim is None or n_bytes <= 0:
        return False
    mallopt = ctypes.CDLL(ctypes.util.find_library("c")).mallopt
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, int(n_bytes)))


def release_free_memory() -> bool:
    """Return the allocator's free pages to the system; True if any were released."""
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False


@contextmanager
def one_large_batch(n_items: int) -> Iterator[None]:
    """Run a batch of ``LARGE_BATCH_ITEMS`` articles or more only when no other large one runs here.

    Smaller batches never wait. The wait is bounded (``LARGE_BATCH_WAIT_SECONDS``): after it the
    batch goes ahead anyway, so a lock held elsewhere (the database) can only delay, not deadlock.
    """
    limit = int(current_app.config["LARGE_BATCH_ITEMS"])
    if not limit or n_items < limit:
        yield
        return
    lock = current_app.extensions["framescope"]["large_batch"]
    acquired = lock.acquire(timeout=float(current_app.config["LARGE_BATCH_WAIT_SECONDS"]))
    try:
        yield
    finally:
        if acquired:
            lock.release()


def init_app(app: Flask) -> None:
    """Pin the mmap threshold; trim after every request whose body is over ``TRIM_AFTER_BYTES``."""
    pin_mmap_threshold(int(app.config["MMAP_THRESHOLD_BYTES"]))
    app.extensions.setdefault("framescope", {})["large_batch"] = threading.Lock()
    limit = int(app.config["TRIM_AFTER_BYTES"])

    @app.teardown_request
    def _trim_after_large_request(_exc: BaseException | None) -> None:
        if limit and (request.content_length or 0) > limit:
            release_free_memory()
