"""/health and /ready, including the pluggable readiness checks the classifier will register."""

from tests.service.conftest import assert_problem


def test_health_reports_ok(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["X-Request-ID"]


def test_ready_checks_the_database(client):
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok", "model": "ok"}}


def test_ready_runs_registered_checks(app, client):
    """A check registered later (a queue, a cache) is run on every probe and reported by name."""
    calls = []
    checks = app.extensions["framescope"]["ready_checks"]
    checks["queue"] = lambda: calls.append("queue") or True
    assert client.get("/ready").get_json()["checks"] == {"database": "ok", "model": "ok", "queue": "ok"}
    checks["queue"] = lambda: calls.append("queue") and False  # falsy: not ready
    assert_problem(client.get("/ready"), 503, fields={"queue"})
    assert calls == ["queue", "queue"]


def test_ready_is_503_when_a_check_fails(app, client):
    def model_not_loaded():
        raise RuntimeError("model file missing")

    app.extensions["framescope"]["ready_checks"]["model"] = model_not_loaded
    body = assert_problem(client.get("/ready"), 503, fields={"model"})
    assert "model file missing" not in str(body)  # the reason is logged, not leaked


def test_ready_is_503_when_the_database_is_down(tmp_path):
    from tests.conftest import make_test_app

    app = make_test_app(f"sqlite:///{tmp_path}/missing-dir/x.sqlite3")
    assert_problem(app.test_client().get("/ready"), 503, fields={"database"})
