"""Model loading (one trainer at a time across workers) and migration 0003's frame-summary backfill."""

from __future__ import annotations

import json
import threading
import time

from sqlalchemy import create_engine, text

import service.model
from service.storage.classifications import decode_frames
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

    monkeypatch.setattr(service.model, "load_or_train", fake_load_or_train)
    threads = [
        threading.Thread(target=service.model.load_model, args=("conflict", tmp_path)) for _ in range(3)
    ]
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


def test_migration_0003_backfills_frame_summary(tmp_path):
    url = f"sqlite:///{tmp_path}/m.sqlite3"
    app = make_test_app(url)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0002"]).exit_code == 0
    frames = [
        {"key": "economic-cost", "present": True, "share": 0.5},
        {"key": "escalation-risk", "present": False, "share": 0.125},
    ]
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO outlets (id, key, name, metadata) VALUES (1, 'o', 'O', '{}')"))
        connection.execute(
            text(
                "INSERT INTO articles (id, outlet_id, title, text, content_hash, word_count) "
                "VALUES (1, 1, 't', 'x', 'h', 1)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO classifications (id, article_id, model_version, codebook_key, codebook_hash,"
                " status, n_sentences, result) VALUES (1, 1, 'm', 'conflict', 'h', 'ok', 1, :result)"
            ),
            {"result": json.dumps({"frames": frames})},
        )
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with engine.connect() as connection:
        summary = connection.scalar(text("SELECT frame_summary FROM classifications WHERE id = 1"))
    assert decode_frames(summary) == {"economic-cost": (True, 0.5), "escalation-risk": (False, 0.125)}
    engine.dispose()
    app.extensions["framescope"]["engine"].dispose()
