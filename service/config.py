"""Settings from the environment (12-factor). The only module that reads ``os.environ``.

Every limit and tunable number lives in ``DEFAULTS``; other modules read ``app.config``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask

#: Defaults are safe for a laptop: SQLite in the instance folder, no Redis, generous but finite limits.
DEFAULTS: dict[str, object] = {
    "REDIS_URL": None,
    "PORT": 8000,
    # prometheus_client's multiprocess mode (several gunicorn workers): a writable, empty directory.
    "PROMETHEUS_MULTIPROC_DIR": None,
    # 64 MiB: a 10,000-article batch of ~5 kB texts fits; anything bigger is a 413.
    "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
    # Articles per batch (POST /v1/articles/batch, POST /v1/compare) and the largest `min_articles`.
    "MAX_BATCH_ITEMS": 10_000,
    # Characters of one article text, wherever a text is sent (422 naming the field above it).
    "MAX_TEXT_CHARS": 500_000,
    # Saved pages sent as `html` (service/html_text.py): characters of one page, its elements
    # (start tags outside scripts and styles; ~0.1-0.3 ms each to extract, so 10,000 is about a
    # second at worst, bench/bench_html.py) and the elements of all pages in one request.
    "MAX_HTML_CHARS": 2_000_000,
    "MAX_HTML_CONTENT_CHARS": 600_000,  # what is left without scripts, styles, SVG and comments
    "MAX_HTML_ELEMENTS": 10_000,
    "MAX_HTML_REQUEST_ELEMENTS": 50_000,
    # Characters of an event description.
    "MAX_DESCRIPTION_CHARS": 10_000,
    # Classification (service/classifier_registry.py): codebook key, model cache (default
    # <instance>/models), and the total text one /v1/classify or /v1/compare request may carry
    # (413 above it; ~3 s of work).
    "CODEBOOK": "conflict",
    "MODEL_CACHE_DIR": None,
    "MAX_CLASSIFY_CHARS": 5_000_000,
    # Comparisons (service/analysis.py, service/stored_comparison.py): characters of each stored text
    # read for distinctive vocabulary, at most how many texts per outlet/group a stored comparison
    # reads for it (a seeded sample; smaller units are read whole), and the seeded Monte Carlo
    # resamples of the small-count tests.
    "VOCABULARY_CHARS": 2_000,
    "VOCABULARY_SAMPLE": 100,
    "COMPARISON_RESAMPLES": 9_999,
    "CORRECTION_DRAWS": 4_000,  # Monte Carlo draws of corrected shares (correction=validation|annotations)
    # Sign each new article for syndication (near-copy) clusters when it is stored: ~0.45 ms per
    # article on SQLite, ~0.85 ms on PostgreSQL (bench/bench_syndication.py). Off for bulk loads:
    # `flask sign --missing` signs later; stored comparisons count unsigned articles as unsyndicated
    # meanwhile (and say so in their metadata).
    "SYNDICATION_AT_INGEST": True,
    "PAGE_SIZE_DEFAULT": 50,
    "PAGE_SIZE_MAX": 500,
    "LOG_LEVEL": "INFO",
    "LOG_JSON": True,
    "SQL_ECHO": False,
    "API_TITLE": "Framescope",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "v1/openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "/docs/assets/",
    "JSON_SORT_KEYS": False,
    # Security (service/security.py; see docs/deploying.md). Open for a laptop, strict when deployed:
    # with AUTH_REQUIRED false, requests without a key may read and write (a key, if sent, is still
    # checked); key management (/v1/keys) always needs an `admin` key.
    "AUTH_REQUIRED": False,
    "ANONYMOUS_READ": False,
    "CORS_ORIGINS": [],
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_APPLICATION": "600 per minute",
    "PROXY_FIX_X_FOR": 0,
    # Codebooks and annotations (issue 11): bytes of one YAML upload (codebooks), the bootstrap
    # resamples of a reliability interval by default and at most.
    "MAX_YAML_BYTES": 1_048_576,
    "RELIABILITY_RESAMPLES": 1_000,
    "MAX_RELIABILITY_RESAMPLES": 10_000,
    # Bulk work (issue 13): articles per export chunk (the memory an export holds at once) and per
    # committed chunk of a job; where job results (export files) are written (default
    # <instance>/job-results; shared storage when workers and web hosts are different machines).
    "EXPORT_CHUNK_ARTICLES": 1_000,
    "JOB_CHUNK_ARTICLES": 1_000,
    # Requests with a body over this many bytes (batches) hand freed memory back to the system
    # afterwards (glibc malloc_trim, service/memory.py); job workers do it after every chunk. 0: never.
    "TRIM_AFTER_BYTES": 1_048_576,
    # Blocks of at least this many bytes always get their own mmap, so freeing them returns them to
    # the system (glibc otherwise raises this threshold as large blocks are freed). 0: glibc's default.
    "MMAP_THRESHOLD_BYTES": 131_072,
    # Batches of at least this many articles classify one at a time per process (the GIL runs them
    # one at a time anyway; two at once double the worker's peak memory), waiting at most this long.
    "LARGE_BATCH_ITEMS": 200,
    "LARGE_BATCH_WAIT_SECONDS": 120.0,
    # A classify job is split into parts of about this many articles, which up to JOB_MAX_RUNNERS
    # worker processes take at once (each part one runner at a time; see service/jobs/parts.py).
    "JOB_PART_ARTICLES": 2_000,
    "JOB_MAX_RUNNERS": 8,
    # Import jobs (POST /v1/jobs/import): bytes of one uploaded file (413 above; the upload is streamed
    # to disk, never held in memory), invalid records after which the job fails, errors it lists.
    "MAX_IMPORT_BYTES": 1024 * 1024 * 1024,
    "IMPORT_MAX_INVALID": 1_000,
    "IMPORT_LISTED_ERRORS": 100,
    "JOB_RESULTS_DIR": None,
    # auto: RQ on REDIS_URL when it is set (run `flask jobs worker`), else a background thread per
    # web process; rq or thread force one. Queue name, seconds without a heartbeat after which a
    # running job counts as abandoned (its worker died) and is resumed, RQ's hard limit per job run.
    "JOB_EXECUTOR": "auto",
    # Model registry (issue 11): seconds a process caches which model version is active, so an
    # activation reaches every worker within this time (0: look it up on every request).
    "MODEL_ACTIVATION_TTL": 5.0,
    # GET /v1/annotations/suggest scores the most recent SUGGEST_CANDIDATES unlabelled articles and
    # reads the texts of the SUGGEST_POOL most uncertain of them.
    "SUGGEST_POOL": 2_000,
    "SUGGEST_CANDIDATES": 100_000,
    "JOB_QUEUE": "framescope-jobs",
    "JOB_STALE_SECONDS": 120,
    "JOB_TIMEOUT_SECONDS": 24 * 3600,
    # Niceness `flask jobs worker` adds to itself at start (0-19; 0: none): on a host shared with web
    # workers, jobs use the CPU the requests leave (issue 13: p99 of /v1/classify while a job runs).
    "JOB_WORKER_NICE": 10,
    # Deepest JSON nesting accepted in a body (Python's parser recurses per level).
    "MAX_JSON_DEPTH": 32,
}


def load_config(app: Flask, config: Mapping | None = None) -> None:
    """Fill ``app.config``: defaults, then conventional env vars, then ``FRAMESCOPE_*``, then ``config``.

    Conventional names (``DATABASE_URL``, ``REDIS_URL``, ``PORT``, and prometheus_client's
    ``PROMETHEUS_MULTIPROC_DIR``) are what hosts and libraries set, so they are read without a prefix;
    everything else is ``FRAMESCOPE_<NAME>`` (values parsed as JSON when they can be, e.g.
    ``FRAMESCOPE_MAX_BATCH_ITEMS=20000``).
    """
    app.config.from_mapping(DEFAULTS)
    app.config["DATABASE_URL"] = "sqlite:///" + str(Path(app.instance_path) / "framescope.sqlite3")
    for name in ("DATABASE_URL", "REDIS_URL", "PORT", "PROMETHEUS_MULTIPROC_DIR"):
        value = os.environ.get(name)
        if value:
            app.config[name] = int(value) if name == "PORT" else value
    app.config.from_prefixed_env("FRAMESCOPE")
    if config:
        app.config.from_mapping(config)
    app.config["DATABASE_URL"] = normalise_database_url(app.config["DATABASE_URL"])


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for ``postgres://`` URLs as handed out by Heroku-style hosts."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
