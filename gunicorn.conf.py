"""gunicorn settings, read from the environment (12-factor).

PORT and WEB_CONCURRENCY are the names PaaS hosts set. ``preload_app`` stays off: each worker builds
its own app (engine, connection pool, model) after the fork, so no pool or file handle crosses it.
"""

import os

# Each worker reads every request in full on an event loop (slow clients hold no thread), then runs
# the Flask app in a pool of GUNICORN_THREADS threads: service/asgi.py. The worker class is gunicorn's
# asyncio one, plus problem+json (not plain text) for the requests gunicorn itself refuses (414, 431, 400).
_threads = int(os.environ.get("GUNICORN_THREADS", "4"))
wsgi_app = f"service.asgi:create_asgi_app(threads={_threads})"
worker_class = "service.gunicorn_worker.ProblemASGIWorker"
bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
preload_app = False
# gunicorn 27's control socket defaults to one fixed path per user; several instances on one machine
# (tests, benchmarks, `make run`) would fight over it, and nothing here uses it.
control_socket_disable = True
# A 10,000-article batch takes a few seconds; leave generous headroom before a worker is killed.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# The app writes one JSON access line per request (with its request id); gunicorn's own is off.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Trust X-Forwarded-* only from a proxy you name (default: none).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's own messages (worker boots, timeouts) as JSON lines too, like the app's. The handler
# names are gunicorn's defaults, which its root and access loggers refer to.
_json_stderr = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "service.logs.JsonFormatter"}},
    "handlers": {"console": _json_stderr, "error_console": _json_stderr},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error_console"], "propagate": False},
        # The app already writes one access line per request (with its request id): keep this one quiet.
        "gunicorn.access": {"level": "WARNING", "handlers": ["console"], "propagate": False},
    },
}


def child_exit(server, worker):
    """Prometheus multiprocess mode (service/metrics.py): forget a dead worker's live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
