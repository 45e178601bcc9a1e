"""gunicorn settings, read from the environment (12-factor).

PORT and WEB_CONCURRENCY are the names PaaS hosts set. ``preload_app`` stays off: each worker builds
its own app (engine, connection pool, model) after the fork, so no pool or file handle crosses it.
"""

import os

wsgi_app = "service:create_app()"
bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
preload_app = False
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
