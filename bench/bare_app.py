"""The bare Flask endpoint `bench_http.py` measures `POST /v1/classify` against (issue 13).

One route, ``POST /classify``: parse the JSON body, TF-IDF (word 1-2-grams) + logistic regression
over title + text, answer each frame's probability as JSON. The model is fitted at start-up on the
same corpus the served model learns from (fixtures/corpus, label = each article's dominant frame),
so its vocabulary and its per-request work are of the same size. No validation, auth, limits,
logging, metrics, database or evidence: what remains is the floor of "a Flask app that runs a
scikit-learn model", served by the same gunicorn config (asyncio worker + thread pool, same worker
and thread counts) as the real service, so the ratio of the two isolates the service's own costs.

gunicorn entry point: ``bare_app:create_bare_asgi_app()`` (run with ``bench/`` on ``PYTHONPATH``).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from flask import Flask, Response, request

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def fit_bare_model():  # noqa: ANN201 - a scikit-learn Pipeline
    """TF-IDF (1,2)-grams + logistic regression on the served model's corpus, dominant frame as label."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from classifiers import load_codebook
    from classifiers.corpus import load_corpus

    corpus = load_corpus(load_codebook())
    articles = [a for a in corpus.articles if a.dominant]
    model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
        LogisticRegression(max_iter=1000),
    )
    return model.fit([f"{a.title}\n{a.text}" for a in articles], [a.dominant for a in articles])


def create_bare_app() -> Flask:
    app = Flask(__name__)
    model = fit_bare_model()
    classes = [str(c) for c in model.classes_]

    @app.post("/classify")
    def classify() -> Response:
        item = json.loads(request.get_data())
        probabilities = model.predict_proba([f"{item.get('title') or ''}\n{item['text']}"])[0]
        body = {"frames": {key: round(float(p), 4) for key, p in zip(classes, probabilities, strict=True)}}
        return Response(json.dumps(body), mimetype="application/json")

    @app.get("/ready")
    def ready() -> Response:
        return Response('{"status": "ready"}', mimetype="application/json")

    return app


def create_bare_asgi_app():  # noqa: ANN201 - service.asgi.BufferedWSGI
    """The bare app behind the same read-ahead wrapper and thread count as the service."""
    from service.asgi import BufferedWSGI

    return BufferedWSGI(create_bare_app(), threads=int(os.environ.get("GUNICORN_THREADS", "4")))
