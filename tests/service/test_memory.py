"""Large requests hand freed memory back to the system (service/memory.py, issue 13)."""

import pytest

from service import memory
from tests.conftest import make_test_app

PLEDGE = {"title": "Allies pledge air defence", "text": "Germany pledged air defence systems to Kyiv. " * 3}


def test_release_free_memory_answers_without_failing():
    assert memory.release_free_memory() in (True, False)


@pytest.mark.parametrize(("limit", "expected"), [(100, 1), (1_000_000, 0), (0, 0)])
def test_trim_runs_after_requests_over_the_limit_only(database_url, monkeypatch, limit, expected):
    calls = []
    monkeypatch.setattr(memory, "release_free_memory", lambda: calls.append(1) or True)
    app = make_test_app(database_url, TRIM_AFTER_BYTES=limit)
    try:
        assert app.test_client().post("/v1/classify", json=PLEDGE).status_code == 200
        assert app.test_client().get("/v1/limits").status_code == 200  # no body: never trimmed
    finally:
        app.extensions["framescope"]["engine"].dispose()
    assert len(calls) == expected


def test_the_mmap_threshold_is_pinned_unless_turned_off():
    assert memory.pin_mmap_threshold(0) is False
    assert memory.pin_mmap_threshold(131_072) is (memory._malloc_trim() is not None)


def test_large_batches_take_turns_small_ones_never_wait(database_url):
    import threading

    app = make_test_app(database_url, LARGE_BATCH_ITEMS=10, LARGE_BATCH_WAIT_SECONDS=0.2)
    try:
        with app.app_context():
            lock = app.extensions["framescope"]["large_batch"]
            with memory.one_large_batch(10):
                assert lock.locked()
                with memory.one_large_batch(9):  # small: runs while a large one holds the turn
                    pass
                waited = threading.Event()

                def other() -> None:
                    with app.app_context(), memory.one_large_batch(50):
                        waited.set()

                thread = threading.Thread(target=other)
                thread.start()
                assert not waited.wait(0.05)  # the second large batch waits for its turn...
                thread.join(2)
                assert waited.is_set()  # ...but not past LARGE_BATCH_WAIT_SECONDS
            assert not lock.locked()
    finally:
        app.extensions["framescope"]["engine"].dispose()
