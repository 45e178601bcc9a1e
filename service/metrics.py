"""Prometheus metrics at ``/metrics``: requests by route template, latency, classifications, model.

Each app owns its registry (``app.extensions["framescope"]["metrics"]``), so tests and several apps in
one process never share counters. Under gunicorn with several workers, set
``PROMETHEUS_MULTIPROC_DIR`` to an empty, writable directory: every worker then writes its samples
there and ``/metrics`` sums them (prometheus_client's multiprocess mode).

Hooks for the classification code (call inside a request or app context)::

    from service import metrics
    metrics.count_classifications(model_version, ["ok", "ok", "insufficient_text"])
    metrics.set_model_info(version=..., codebook=..., codebook_hash=...)
"""

from __future__ import annotations

import time
from collections import Counter as Tally
from collections.abc import Iterable
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


@dataclass(frozen=True)
class Metrics:
    registry: CollectorRegistry
    requests: Counter
    latency: Histogram
    classifications: Counter
    model_info: Gauge
    multiprocess: bool


def build_metrics(*, multiproc: bool = False) -> Metrics:
    registry = CollectorRegistry(auto_describe=True)
    return Metrics(
        registry=registry,
        requests=Counter(
            "framescope_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=registry,
        ),
        latency=Histogram(
            "framescope_http_request_duration_seconds",
            "Time from the first to the last hook of a request, by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        ),
        classifications=Counter(
            "framescope_classifications",
            "Articles classified, by model version and result status.",
            ["model_version", "status"],
            registry=registry,
        ),
        model_info=Gauge(
            "framescope_model_info",
            "The loaded classification model (value 1); labels name version and codebook.",
            ["version", "codebook", "codebook_hash"],
            registry=registry,
            multiprocess_mode="liveall",
        ),
        multiprocess=multiproc,
    )


def get_metrics(app: Flask | None = None) -> Metrics:
    return (app or current_app).extensions["framescope"]["metrics"]


def count_classifications(model_version: str, statuses: Iterable[str], app: Flask | None = None) -> None:
    """Hook for the classifier step: one increment per classified article, by status."""
    counter = get_metrics(app).classifications
    for status, n in Tally(statuses).items():
        counter.labels(model_version=model_version, status=status).inc(n)


def set_model_info(*, version: str, codebook: str, codebook_hash: str, app: Flask | None = None) -> None:
    """Hook for the classifier step: publish which model this worker serves."""
    get_metrics(app).model_info.labels(version=version, codebook=codebook, codebook_hash=codebook_hash).set(1)


def route_label() -> str:
    """The URL rule (``/v1/articles/<int:article_id>``), never the raw path: labels stay few."""
    rule = request.url_rule
    return rule.rule if rule is not None else "<unmatched>"


def publish_model_info(app: Flask) -> None:
    """Label ``framescope_model_info`` with the classifier ``create_app`` loaded (if any)."""
    model = app.extensions["framescope"].get("model")
    codebook = getattr(model, "codebook", None)
    if model is not None and codebook is not None:
        set_model_info(version=model.version, codebook=codebook.key, codebook_hash=codebook.hash, app=app)


def init_app(app: Flask) -> None:
    metrics = build_metrics(multiproc=bool(app.config.get("PROMETHEUS_MULTIPROC_DIR")))
    app.extensions["framescope"]["metrics"] = metrics
    publish_model_info(app)

    @app.before_request
    def start_timer() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def observe(response: Response) -> Response:
        route = route_label()
        metrics.requests.labels(request.method, route, str(response.status_code)).inc()
        started = g.get("metrics_started")
        if started is not None:
            metrics.latency.labels(request.method, route).observe(time.perf_counter() - started)
        return response

    @app.get("/metrics")
    def prometheus_metrics() -> Response:
        """Prometheus text format (scrape with the `read` scope when auth is on)."""
        if metrics.multiprocess:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
        else:
            registry = metrics.registry
        return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
