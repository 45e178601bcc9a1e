"""Time GET /v1/events/{key}/comparison over N stored, classified articles (in-process test client).

    .venv/bin/python bench/bench_service_comparison.py [N ...] [--database-url URL]

Articles (~600 words, 4 outlets, one event) are stored through the storage layer with synthetic
classifier results (so setup does not time the classifier); the timed part is the whole HTTP request:
the version-coverage check, fetching rows (first 2,000 characters of text), the statistics and JSON.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classifiers import ArticleClassification, FrameResult, StanceResult  # noqa: E402
from service import create_app  # noqa: E402
from service.classifier_registry import load_model  # noqa: E402
from service.storage.articles import ingest_articles  # noqa: E402
from service.storage.classifications import store_classifications  # noqa: E402

WORDS = [
    "army",
    "missile",
    "strike",
    "aid",
    "package",
    "pledge",
    "ministers",
    "sanctions",
    "grain",
    "port",
    "prices",
    "talks",
    "ceasefire",
    "civilians",
    "hospital",
    "shelter",
    "parliament",
    "election",
    "coalition",
    "budget",
    "drones",
    "border",
    "troops",
    "lawyers",
    "court",
    "sovereignty",
    "nuclear",
    "warning",
    "escalation",
    "shipping",
    "insurance",
    "reconstruction",
    "refugees",
]


def populate(app, n: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    model = app.extensions["framescope"]["model"]
    frames = model.codebook.frame_keys
    sessionmaker = app.extensions["framescope"]["write_sessionmaker"]
    for start in range(0, n, 1000):
        items = [
            {
                "outlet": f"outlet-{i % 4}",
                "event": "bench-event",
                "title": f"Article {i}",
                "text": " ".join(rng.choice(WORDS) for _ in range(600)) + f" n{i}.",
            }
            for i in range(start, min(n, start + 1000))
        ]
        with sessionmaker() as session:
            ids = ingest_articles(session, items, create_missing=True).ids
            results = []
            for aid in ids:
                present = {f for f in frames if rng.random() < 0.3}
                frame_results = tuple(
                    FrameResult(f, f, 0.5, f in present, 0.2 * (f in present)) for f in frames
                )
                stance = StanceResult("ukraine-support", rng.choice(["favor", "against"]), {})
                dominant = min(present) if present else None
                results.append(
                    (aid, ArticleClassification("ok", 30, frame_results, dominant, stance, model.model_ref))
                )
            store_classifications(session, results)
            session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10_000])
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    model = load_model("conflict", Path(__file__).resolve().parents[1] / "instance" / "models")
    for n in args.sizes:
        url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
        app = create_app({"DATABASE_URL": url, "MODEL": model, "RATELIMIT_ENABLED": False})
        assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
        populate(app, n)
        client = app.test_client()
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get("/v1/events/bench-event/comparison")
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
        print(
            f"{n:>7} articles ({app.extensions['framescope']['engine'].dialect.name}): "
            f"median {statistics.median(times):.3f} s, min {min(times):.3f} s"
        )
        if args.database_url:
            from tests.conftest import truncate_all

            truncate_all(args.database_url)


if __name__ == "__main__":
    main()
