"""The classifier registry: one trainer at a time across workers, the cached model when none is injected."""

from __future__ import annotations

import threading
import time

import service.classifier_registry
from tests.conftest import make_test_app


def test_concurrent_loads_are_serialised_by_the_file_lock(tmp_path, monkeypatch):
    """Workers starting together must not train (and write the cache) at the same time."""
    active, peak, lock = [0], [0], threading.Lock()

    def fake_load_or_train(codebook, cache_dir):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.2)
        with lock:
            active[0] -= 1
        return type("Model", (), {"version": "fake"})()

    monkeypatch.setattr(service.classifier_registry, "load_or_train", fake_load_or_train)
    load = service.classifier_registry.load_model
    threads = [threading.Thread(target=load, args=("conflict", tmp_path)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak[0] == 1
    assert (tmp_path / ".conflict.lock").exists()


def test_app_without_an_injected_model_loads_it_from_the_cache(tmp_path, classifier):
    from tests.conftest import MODEL_CACHE_DIR

    app = make_test_app(f"sqlite:///{tmp_path}/x.sqlite3", MODEL=None, MODEL_CACHE_DIR=str(MODEL_CACHE_DIR))
    model = app.extensions["framescope"]["model"]
    assert model.codebook.hash == classifier.codebook.hash
    assert app.extensions["framescope"]["ready_checks"]["model"]()
