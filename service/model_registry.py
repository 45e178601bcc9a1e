"""Models trained here from coded articles: train (as a job), store, list, activate, roll back, serve.

The shipped model (trained from the repository's corpus) serves a codebook until another version is
activated; activations are rows, the latest per codebook wins, and rolling back activates the one
before. Trained models are stored with their pickled estimator in the database, so every web host
and worker can serve them. Each process looks the active version up at most every
``MODEL_ACTIVATION_TTL`` seconds, so an activation reaches every worker within that time.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import joblib
import numpy as np
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from classifiers import ArticleClassifier
from classifiers.adaptation import CodedArticle, adapt, coded_scores, consensus
from classifiers.corpus import load_corpus
from classifiers.environment import environment_line
from service.storage.annotations import iter_annotations
from service.storage.errors import NotFoundError
from service.storage.tables import ModelActivation, TrainedModel

log = logging.getLogger("framescope.model")
#: Trained models kept loaded per process (each is a few MB).
LOADED_MODELS = 4
#: Held-out share of coded events (or articles, with a single event) and the least coded articles for it.
HOLDOUT_SHARE = 0.2
MIN_FOR_HOLDOUT = 10


class TrainingError(ValueError):
    """The coded articles cannot train a model (a client-side reason, reported on the job)."""


def _state() -> dict[str, Any]:
    state = current_app.extensions["framescope"]
    state.setdefault("registry_lock", threading.Lock())
    state.setdefault("loaded_models", OrderedDict())
    state.setdefault("active_cache", {})
    return state


def shipped_model() -> ArticleClassifier:
    """The model trained from the repository's corpus (loaded by ``classifier_registry.init_app``)."""
    return current_app.extensions["framescope"]["model"]


def _read_active(codebook: str) -> str | None:
    factory = current_app.extensions["framescope"]["sessionmaker"]
    with factory() as session:
        stmt = (
            select(ModelActivation.version)
            .where(ModelActivation.codebook == codebook)
            .order_by(ModelActivation.id.desc())
            .limit(1)
        )
        return session.scalar(stmt)


def active_version(codebook: str) -> str | None:
    """The activated version for ``codebook`` (None: the shipped model), cached for a few seconds."""
    cache = _state()["active_cache"]
    ttl = float(current_app.config.get("MODEL_ACTIVATION_TTL", 5.0))
    now = time.monotonic()
    hit = cache.get(codebook)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]
    try:
        version = _read_active(codebook)
    except SQLAlchemyError:  # database down: keep serving what this process served last (for a TTL too)
        log.warning("could not read the active model; keeping the last known", exc_info=True)
        version = hit[1] if hit else None
    cache[codebook] = (now, version)
    return version


def forget_active() -> None:
    """Drop this process's cached activations (after activating here, so it takes effect at once)."""
    _state()["active_cache"].clear()


def load_version(version: str) -> ArticleClassifier:
    """The shipped model or a stored trained model by version (404 when unknown), kept loaded (LRU)."""
    shipped = shipped_model()
    if version == shipped.version:
        return shipped
    state = _state()
    with state["registry_lock"]:
        loaded: OrderedDict = state["loaded_models"]
        if version in loaded:
            loaded.move_to_end(version)
            return loaded[version]
    factory = current_app.extensions["framescope"]["sessionmaker"]
    with factory() as session:
        blob = session.scalar(select(TrainedModel.artifact).where(TrainedModel.version == version))
    if blob is None:
        raise NotFoundError(f"No model version {version!r}; GET /v1/models lists them.")
    model = joblib.load(io.BytesIO(blob))
    with state["registry_lock"]:
        loaded[version] = model
        while len(loaded) > LOADED_MODELS:
            loaded.popitem(last=False)
    return model


def served_model(version: str | None = None) -> ArticleClassifier:
    """``version`` if given, else the active model of the shipped codebook (the shipped model by default)."""
    if version is not None:
        return load_version(version)
    shipped = shipped_model()
    active = active_version(shipped.codebook.key)
    if active is None or active == shipped.version:
        return shipped
    try:
        return load_version(active)
    except NotFoundError:  # activation of a deleted model: serve the shipped one, loudly
        log.error("active model %s is not stored; serving %s", active, shipped.version)
        return shipped


# --- training -------------------------------------------------------------------------------


def coded_articles(
    session: Session, codebook, coders: Sequence[str], article_ids: Iterable[int] | None
) -> tuple[list[CodedArticle], dict[str, int]]:
    """The coders' consensus per article (see ``classifiers.adaptation.consensus``) and what was skipped."""
    wanted = set(article_ids) if article_ids is not None else None
    allowed = set(codebook.frame_keys)
    by_article: dict[int, dict[str, Any]] = {}
    skipped = {"unknown_frames": 0}
    for ann in (a for coder in coders for a in iter_annotations(session, codebook=codebook.key, coder=coder)):
        if wanted is not None and ann.article_id not in wanted:
            continue
        if not set(ann.frames) <= allowed or (ann.dominant and ann.dominant not in allowed):
            skipped["unknown_frames"] += 1
            continue
        entry = by_article.setdefault(ann.article_id, {"article": ann.article, "codes": {}})
        entry["codes"][ann.coder] = {"frames": ann.frames, "dominant": ann.dominant, "stance": ann.stance}
    out = []
    for article_id, entry in sorted(by_article.items()):
        art = entry["article"]
        codes = consensus([entry["codes"][c] for c in coders if c in entry["codes"]])
        event = art.event.key if art.event is not None else f"article-{article_id}"
        out.append(
            CodedArticle(
                id=str(article_id),
                event=event,
                title=art.title or "",
                text=art.text,
                frames=tuple(codes["frames"]),
                dominant=codes["dominant"],
                stance=codes["stance"],
            )
        )
    return out, skipped


def holdout_split(articles: Sequence[CodedArticle], seed: int = 0) -> tuple[list, list]:
    """Seeded held-out part: whole events when there are several, else articles; none when too few."""
    if len(articles) < MIN_FOR_HOLDOUT:
        return list(articles), []
    rng = np.random.default_rng(seed)
    events = sorted({a.event for a in articles})
    if len(events) >= 2:
        n = max(1, round(HOLDOUT_SHARE * len(events)))
        held = set(rng.permutation(events)[:n])
        return [a for a in articles if a.event not in held], [a for a in articles if a.event in held]
    idx = set(rng.permutation(len(articles))[: max(1, round(HOLDOUT_SHARE * len(articles)))].tolist())
    return [a for i, a in enumerate(articles) if i not in idx], [
        a for i, a in enumerate(articles) if i in idx
    ]


def train_from_annotations(session: Session, params: Mapping[str, Any], job_id: int | None = None) -> dict:
    """Train, evaluate on held-out codes and store a model; the job's result (the model is not activated)."""
    base = load_version(params["base"]) if params.get("base") else served_model()
    codebook = base.codebook
    if params.get("codebook", codebook.key) != codebook.key:
        raise TrainingError(
            f"base model {base.version} serves codebook {codebook.key!r}, not {params['codebook']!r}"
        )
    coded, skipped = coded_articles(session, codebook, params["coders"], params.get("article_ids"))
    if len(coded) < 2:
        raise TrainingError(
            f"{len(coded)} coded article(s) of coders {', '.join(params['coders'])} under codebook "
            f"{codebook.key!r}: at least 2 are needed"
        )
    train_part, held = holdout_split(coded, int(params.get("seed", 0)))
    weight = int(params.get("weight", 3))
    model = adapt(base, codebook, load_corpus(codebook), train_part, weight=weight)
    manifest = dict(model.manifest)
    manifest["coders"] = list(params["coders"])
    manifest["skipped"] = skipped
    manifest["heldout"] = (
        {
            "n_articles": len(held),
            "events": sorted({a.event for a in held}),
            "base": coded_scores(base, held),
            "model": coded_scores(model, held),
        }
        if held
        else None
    )
    model.manifest_ = manifest
    existing = session.get(TrainedModel, model.version)
    if existing is None:
        buffer = io.BytesIO()
        joblib.dump(model, buffer, compress=3)
        session.add(
            TrainedModel(
                version=model.version,
                codebook=codebook.key,
                base_version=base.version,
                params=dict(params),
                manifest=manifest,
                artifact=buffer.getvalue(),
                job_id=job_id,
            )
        )
    return {"model_version": model.version, "n_coded": len(coded), "heldout": manifest["heldout"]}


# --- listing and activation -----------------------------------------------------------------


def list_trained(session: Session, codebook: str | None = None) -> list[TrainedModel]:
    stmt = select(TrainedModel).order_by(TrainedModel.created_at, TrainedModel.version)
    if codebook:
        stmt = stmt.where(TrainedModel.codebook == codebook)
    return list(session.scalars(stmt))


def get_trained(session: Session, version: str) -> TrainedModel:
    row = session.get(TrainedModel, version)
    if row is None:
        raise NotFoundError(f"No trained model {version!r}; GET /v1/models lists them.")
    return row


def activation_history(session: Session, codebook: str) -> list[ModelActivation]:
    stmt = select(ModelActivation).where(ModelActivation.codebook == codebook).order_by(ModelActivation.id)
    return list(session.scalars(stmt))


def activate(session: Session, codebook: str, version: str) -> ModelActivation:
    """Make ``version`` serve ``codebook`` (a row; the caller commits)."""
    row = ModelActivation(codebook=codebook, version=version)
    session.add(row)
    session.flush()
    return row


def previous_version(session: Session, codebook: str, shipped_version: str) -> str | None:
    """The version that served before the current one (the shipped model before any activation)."""
    history = [a.version for a in activation_history(session, codebook)]
    if not history:
        return None
    current = history[-1]
    for version in reversed(history[:-1]):
        if version != current:
            return version
    return shipped_version if current != shipped_version else None


def _figure_line(label: str, figures: Mapping[str, Any] | None) -> str:
    if not figures:
        return f"| {label} | - | - | - | - |"
    cells = [
        figures.get(k) for k in ("frame_macro_f1", "frame_micro_f1", "stance_macro_f1", "dominant_accuracy")
    ]
    return f"| {label} | " + " | ".join("-" if v is None else f"{v:.3f}" for v in cells) + " |"


def model_card(row: TrainedModel) -> str:
    """A Markdown card for a trained model: base, codes used, method, held-out and CV figures."""
    m = row.manifest
    adaptation = m.get("adaptation", {})
    held = m.get("heldout")
    summary = m.get("metrics_summary", {})
    lines = [
        f"# Model card: {row.version}",
        "",
        f"- Codebook: `{row.codebook}` (hash `{m.get('codebook_hash')}`)",
        f"- Adapted from: `{row.base_version}` (its corpus hash `{m.get('corpus_hash')}`)",
        f"- Coders: {', '.join(row.params.get('coders', []))}; coded articles used: "
        f"{adaptation.get('n_used')} of {adaptation.get('n_coded')} (weight {adaptation.get('weight')}, "
        f"codes digest `{adaptation.get('codes_digest')}`)",
        f"- Trained: {m.get('trained_at')}; scikit-learn {m.get('sklearn_version')}",
        environment_line(m, label="Base model's numeric environment"),
        f"- Method: {adaptation.get('method')}. The sentence model is the base model's.",
        "",
        "## Held-out coded articles",
        "",
    ]
    if held:
        lines += [
            f"{held['n_articles']} coded articles of events {', '.join(held['events'])}, "
            "not used for fitting.",
            "",
            "| model | frame macro-F1 | frame micro-F1 | stance macro-F1 | dominant accuracy |",
            "| --- | ---: | ---: | ---: | ---: |",
            _figure_line(f"base {row.base_version}", held.get("base")),
            _figure_line(f"this model {row.version}", held.get("model")),
        ]
    else:
        lines.append(f"None: fewer than {MIN_FOR_HOLDOUT} coded articles, so all were used for fitting.")
    lines += [
        "",
        "## Cross-validated on the base corpus (grouped by event; the base model's figures)",
        "",
        *(f"- {k}: {v}" for k, v in summary.items()),
        "",
    ]
    return "\n".join(lines)
