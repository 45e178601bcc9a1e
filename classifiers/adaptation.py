"""Adapting a model to a researcher's coded articles (article-level codes, from the annotations API).

What the training job does (``adapt``): the base model's sentence model is kept, and the article
frame head is re-fitted on the corpus's out-of-fold evidence plus the coded articles' evidence,
each coded article counted ``weight`` times; the stance aggregator is re-fitted only with
``refit_stance`` (it lowered stance F1 on the tune half). Deterministic: the same base model, codes
and settings give the same model version.

Also here, for the measured alternative (``python -m classifiers.adaptation_eval --method
sentence``; not used by the service because it scored lower): turning codes into sentence rows by
*weak labelling* with the base model (``to_corpus_article``: for each frame the coder marked
present, the base model's best sentences for it carry it; a frame marked absent is carried by no
sentence; character spans from sentence-level annotations replace the weak labels) and adding them
to the corpus for a full retraining (``extend_corpus``).
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from classifiers.article import prepare_article
from classifiers.article_head import N_FEATURES, ArticleFrameHead, corpus_evidence
from classifiers.classifier import ArticleClassifier
from classifiers.codebook import STANCE_LABELS, Codebook
from classifiers.corpus import Corpus, CorpusArticle, CorpusSentence
from classifiers.cv import cross_validate, head_excerpts
from classifiers.environment import numeric_environment
from classifiers.params import json_params, resolve_params
from classifiers.scoring import score
from classifiers.text import split_sentences
from classifiers.training import fit_stance_aggregator, stance_article_data

#: A sentence carries a coded frame when the base model gives it at least this probability.
MIN_PROB = 0.5
#: Conflict label of added articles (their events stay their own, so CV groups them by event).
ANNOTATED_CONFLICT = "annotated"


@dataclass(frozen=True)
class CodedArticle:
    """One coder-labelled article: the text and its article-level codes (validated by the caller).

    ``spans`` are optional sentence-level codes: ``(start, end, frames, stance)`` character spans
    of ``text``; a sentence overlapping a span takes its frames and stance instead of weak labels.
    """

    id: str
    event: str
    title: str
    text: str
    frames: tuple[str, ...]
    dominant: str | None = None
    stance: str | None = None
    target: str | None = None
    spans: tuple[tuple[int, int, tuple[str, ...], str | None], ...] = field(default=())


def _weak_labels(probs: np.ndarray, coded: Sequence[int], min_prob: float) -> list[set[int]]:
    """Per sentence, the coded columns it carries: top sentence per coded column plus all >= min_prob."""
    carried: list[set[int]] = [set() for _ in range(probs.shape[0])]
    for col in coded:
        column = probs[:, col]
        for row in np.flatnonzero(column >= min_prob):
            carried[row].add(col)
        carried[int(np.argmax(column))].add(col)
    return carried


def to_corpus_article(
    base, codebook: Codebook, article: CodedArticle, *, min_prob: float = MIN_PROB
) -> CorpusArticle | None:
    """Turn one coded article into a corpus article with sentence labels (None if no sentences).

    ``base`` is a fitted ``ArticleClassifier`` whose sentence scores pick the carrying sentences.
    """
    sentences = [s for s in split_sentences(article.text) if s.text.strip()]
    if not sentences:
        return None
    texts = [s.text.strip() for s in sentences]
    title = article.title.strip()
    scored = base.sentence_model_.scores(([title] if title else []) + texts, base.attribution_discount)
    keys = list(codebook.frame_keys)
    coded = [keys.index(f) for f in article.frames]
    frame_carried = _weak_labels(scored.frame, coded, min_prob)
    stance_carried: list[set[int]] = [set() for _ in frame_carried]
    if article.stance in ("favor", "against"):
        stance_carried = _weak_labels(scored.stance, [STANCE_LABELS.index(article.stance)], min_prob)
    offset = 1 if title else 0

    def stance_of(row: int) -> str | None:
        if article.stance is None:
            return None
        return STANCE_LABELS[next(iter(stance_carried[row]))] if stance_carried[row] else "neutral"

    body = []
    for i, sent in enumerate(sentences):
        frames = tuple(keys[c] for c in sorted(frame_carried[i + offset]))
        stance = stance_of(i + offset)
        for start, end, span_frames, span_stance in article.spans:
            if start < sent.end and sent.start < end:
                frames, stance = tuple(span_frames), span_stance
                break
        body.append(CorpusSentence(texts[i], frames, stance))
    return CorpusArticle(
        id=f"coded:{article.id}",
        conflict=ANNOTATED_CONFLICT,
        event=article.event,
        register="coded",
        title=title,
        title_frames=tuple(keys[c] for c in sorted(frame_carried[0])) if title else (),
        title_stance=stance_of(0) if title else None,
        sentences=tuple(body),
        frames=tuple(article.frames),
        dominant=article.dominant,
        target=article.target or (codebook.default_target if article.stance else None),
        stance=article.stance,
        source="annotations",
    )


def codes_digest(
    articles: Sequence[CodedArticle], weight: int, extra: Mapping[str, Any] | None = None
) -> str:
    """sha256 (16 hex) of the coded articles, their codes and the weight: part of the model version."""
    payload = [
        [
            a.id,
            a.event,
            a.title,
            a.text,
            list(a.frames),
            a.dominant,
            a.stance,
            a.target,
            [list(map(str, s)) for s in a.spans],
        ]
        for a in sorted(articles, key=lambda a: a.id)
    ]
    blob = json.dumps([payload, weight, dict(extra or {})], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def extend_corpus(
    corpus: Corpus,
    base,
    codebook: Codebook,
    articles: Sequence[CodedArticle],
    *,
    weight: int = 1,
    min_prob: float = MIN_PROB,
) -> Corpus:
    """The base corpus plus the coded articles (each ``weight`` times), with a hash covering both."""
    if weight < 1:
        raise ValueError("weight must be >= 1")
    added: list[CorpusArticle] = []
    for art in articles:
        row = to_corpus_article(base, codebook, art, min_prob=min_prob)
        if row is None:
            continue
        added.extend(replace(row, id=f"{row.id}#{k}") if k else row for k in range(weight))
    digest = codes_digest(articles, weight, {"min_prob": min_prob})
    return Corpus(
        articles=corpus.articles + tuple(added),
        hash=hashlib.sha256(f"{corpus.hash}+{digest}".encode()).hexdigest()[:16],
        files=corpus.files + (f"annotations:{len(articles)}x{weight}:{digest}",),
        problems=corpus.problems,
    )


def coded_evidence(base, codebook: Codebook, articles: Sequence[CodedArticle]) -> dict:
    """Article-level inputs of the base model for coded articles: frame evidence and stance features.

    The base model's own ``article_inputs`` (what ``classify_many`` reads), in one batch; the coded
    articles were never trained on, so these are out-of-sample inputs just like the out-of-fold ones
    the article head was first fitted on. Articles without enough English text are left out.
    """
    keys = list(codebook.frame_keys)
    batch = base.article_inputs([prepare_article(a.title, a.text) for a in articles])
    used = [articles[i] for i in batch.ok]
    n = len(keys)
    return {
        "X": np.zeros((0, n, N_FEATURES)) if batch.evidence is None else batch.evidence[batch.ok],
        "gold": np.asarray([[k in a.frames for k in keys] for a in used], int).reshape(-1, n),
        "X_stance": batch.stance_features,
        "stance": np.asarray([a.stance for a in used], dtype=object),
    }


_CORPUS_INPUTS: OrderedDict[str, tuple] = OrderedDict()


def corpus_article_inputs(corpus: Corpus, codebook: Codebook, params: Mapping[str, Any]) -> tuple:
    """Out-of-fold article inputs of the corpus (frame evidence, gold, stance features, stance).

    The grouped cross-validation behind them is the slow part of adapting (seconds); its result
    depends only on corpus, codebook and parameters, so a process keeps the last two.
    """
    key = json.dumps([corpus.hash, codebook.hash, json_params(params)], sort_keys=True)
    if key not in _CORPUS_INPUTS:
        cv = cross_validate(corpus, codebook, dict(params))
        table = cv["table"]
        keys = list(codebook.frame_keys)
        X0 = corpus_evidence(table, len(corpus.articles), cv["frame"])
        gold0 = np.asarray([[k in a.frames for k in keys] for a in corpus.articles], int)
        ex = head_excerpts(table, len(corpus.articles), cv["frame"], dict(params))
        if ex is not None:  # the base head's excerpts too, as classifiers.build.train fits it
            X0, gold0 = np.concatenate([X0, ex[0]]), np.concatenate([gold0, ex[1]])
        Xs0, stance0 = stance_article_data(corpus, table, cv["stance"], cv["alias"])
        _CORPUS_INPUTS[key] = (X0, gold0, Xs0, stance0)
        while len(_CORPUS_INPUTS) > 2:
            _CORPUS_INPUTS.popitem(last=False)
    return _CORPUS_INPUTS[key]


def adapt(
    base,
    codebook: Codebook,
    corpus: Corpus,
    articles: Sequence[CodedArticle],
    *,
    weight: int = 3,
    refit_stance: bool = False,
    now: datetime | None = None,
):
    """A new ``ArticleClassifier``: the base sentence model, article decisions re-fitted with the codes.

    The article frame head (and, with ``refit_stance``, the stance aggregator) is re-fitted on the
    base corpus's out-of-fold evidence (recomputed by the same grouped cross-validation as training)
    plus the coded articles' evidence, each coded article counted ``weight`` times. The sentence
    model is kept, so what the base model learnt of frame language is kept too; what changes is
    where the researcher's coders draw the line between a passing mention and a frame the article
    uses. ``python -m classifiers.adaptation_eval`` measures the effect (docs/model-registry.md).
    """
    if weight < 1:
        raise ValueError("weight must be >= 1")
    params = resolve_params(base.manifest.get("params"))
    X0, gold0, Xs0, stance0 = corpus_article_inputs(corpus, codebook, params)
    new = coded_evidence(base, codebook, articles)
    if not len(new["X"]):
        raise ValueError("none of the coded articles has enough English text to learn from")
    rep = np.repeat
    head = ArticleFrameHead(C=params["article_head_C"]).fit(
        np.concatenate([X0, rep(new["X"], weight, axis=0)]),
        np.concatenate([gold0, rep(new["gold"], weight, axis=0)]),
    )
    aggregator = base.stance_aggregator_
    if refit_stance:  # off by default: on the tune half it lowered stance F1 at every weight tried
        aggregator = fit_stance_aggregator(
            np.vstack([Xs0, rep(new["X_stance"], weight, axis=0)]),
            np.concatenate([stance0, rep(new["stance"], weight)]),
            params,
        )
    digest = codes_digest(articles, weight, {"refit_stance": refit_stance})
    key = hashlib.sha256(f"{base.version}+{digest}".encode()).hexdigest()[:12]
    manifest = {
        **base.manifest,
        "version": f"{codebook.key}-adapted-{key}",
        "base_version": base.version,
        "adaptation": {
            "method": "article frame head re-fitted with coded articles"
            + (" (and the stance aggregator)" if refit_stance else ""),
            "n_coded": len(articles),
            "n_used": int(len(new["X"])),
            "weight": weight,
            "codes_digest": digest,
            "environment": numeric_environment(),  # the re-fit's own; "environment" is the base's
        },
        "trained_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
    }
    model = ArticleClassifier(**base.get_params())
    return model.fit(base.sentence_model_, aggregator, base.thresholds_, manifest=manifest, article_head=head)


def consensus(codes: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Several coders' codes of one article as one: majority per frame, stance and dominant frame.

    ``codes`` are in the order the coders were named; a tie goes to the first coder's code (the
    lead coder convention), so two coders who disagree yield the first one's reading.
    """
    if not codes:
        raise ValueError("no codes to combine")
    n = len(codes)
    frames: list[str] = []
    for frame in dict.fromkeys(f for c in codes for f in c.get("frames") or ()):
        votes = sum(frame in (c.get("frames") or ()) for c in codes)
        if votes * 2 > n or (votes * 2 == n and frame in (codes[0].get("frames") or ())):
            frames.append(frame)

    def vote(key: str) -> Any:
        values = [c.get(key) for c in codes]
        best = max(values, key=lambda v: (values.count(v), v == values[0]))
        return best

    return {"frames": frames, "dominant": vote("dominant"), "stance": vote("stance")}


#: The figures ``coded_scores`` reports (the arithmetic of ``../shared/eval/score.py``).
SCORE_KEYS = ("frame_macro_f1", "frame_micro_f1", "stance_macro_f1", "dominant_accuracy")


def coded_scores(model, articles: Sequence[CodedArticle]) -> dict[str, float | None]:
    """How ``model`` scores against coded articles: frame macro/micro-F1, stance macro-F1, dominant."""
    results = model.classify_many([(a.title, a.text, None) for a in articles])
    preds = [
        {"id": a.id, "frames": r.present_frames, "dominant": r.dominant_frame, "stance": r.stance.label}
        for a, r in zip(articles, results, strict=True)
    ]
    gold = [
        {"id": a.id, "frames": list(a.frames), "dominant": a.dominant, "stance": a.stance} for a in articles
    ]
    scored = score(preds, gold, model.codebook.frame_keys)
    return {k: (None if scored.get(k) is None else round(float(scored[k]), 4)) for k in SCORE_KEYS}
