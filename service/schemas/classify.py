"""Schemas for classification: the request (one article or a list) and the per-article result.

Results are ``classifiers.ArticleClassification`` objects (full precision); these schemas read their
attributes and round scores and shares to ``DECIMALS`` places for the wire.
"""

from __future__ import annotations

import math
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from classifiers import ArticleClassification
from classifiers.article import Evidence
from service.limits import BATCH_ITEMS
from service.schemas.article_shape import ArticleShapeSchema
from service.schemas.status_messages import status_message

_MESSAGE_DOC = "Why there are no labels, e.g. the detected language (null when `ok`)."
#: Decimal places of scores, shares and probabilities in answers (stored values keep full precision).
DECIMALS = 4

CLASSIFY_EXAMPLE = {
    "title": "Allies pledge new air defence package",
    "text": "Germany pledged a new package of air defence systems to Ukraine on Monday. "
    "The aid includes missiles and launchers and will arrive before winter.",
    "target": "ukraine-support",
}


class OneOrManySchema(ma.Schema):
    """Loads a JSON object or an array of them (and dumps likewise): one request shape for both."""

    def load(self, data: Any, *, many: bool | None = None, **kwargs: Any) -> Any:
        if many is None and isinstance(data, list):
            many = True
        return super().load(data, many=many, **kwargs)

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        if many is None and isinstance(obj, list):
            many = True
        return super().dump(obj, many=many)

    @ma.pre_load(pass_collection=True)
    def cap_items(self, data: Any, many: bool, **_kwargs: Any) -> Any:
        if many and isinstance(data, list):
            if not data:
                raise ma.ValidationError("Send at least one article.")
            BATCH_ITEMS(data)
        return data


class ClassifyArticleSchema(OneOrManySchema, ArticleShapeSchema):
    """One article to classify (the shared article shape; only ``text`` or ``html``, ``title`` and
    ``target`` are used); nothing is stored. Each text: ``MAX_TEXT_CHARS`` (422 above, as on ingest)."""


class Rounded(fields.Float):
    """A float rounded to ``DECIMALS`` places when dumped."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> float | None:
        return None if value is None else round(float(value), DECIMALS)


class ClassifyArgsSchema(ma.Schema):
    model = fields.String(
        validate=validate.Length(1, 80),
        metadata={"description": "Model version to classify with (default: the active model)."},
    )


class FrameScore(fields.Float):
    """A frame's score rounded to ``DECIMALS`` places toward its decision: down when the frame is
    not present, up when it is, so ``present`` ⇔ ``score`` ≥ the frame's threshold holds on the wire
    too (plain rounding could lift 0.49996 of an absent frame onto a 0.5 threshold)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> float | None:
        if value is None:
            return None
        scaled = float(value) * 10**DECIMALS
        rounded = math.ceil(scaled - 1e-9) if obj.present else math.floor(scaled + 1e-9)
        return rounded / 10**DECIMALS


class EvidenceSchema(ma.Schema):
    sentence = fields.String()
    start = fields.Integer(metadata={"description": "Offset into `text` (or `title` when `field` says so)."})
    end = fields.Integer(metadata={"description": "`text[start:end] == sentence`."})
    score = Rounded()
    field = fields.Method(
        "source_field",
        metadata={"description": "Present and `title` when the sentence is the headline.", "type": "string"},
    )

    def source_field(self, evidence: Any) -> Any:
        """Only a headline sentence says where it is from; body sentences (the default) do not."""
        return evidence.field if evidence.field != "text" else ma.missing


class FrameResultSchema(ma.Schema):
    key = fields.String(metadata={"example": "support-commitment"})
    label = fields.String(metadata={"example": "Support and commitment of partners"})
    score = FrameScore(
        metadata={
            "description": "Calibrated probability that the article uses the frame (the article head's); "
            "`present` is `score` >= the frame's threshold (`thresholds` in GET /v1/models). Rounded to 4 "
            "places toward `present` (down when absent, up when present)."
        }
    )
    present = fields.Boolean(metadata={"description": "The codebook's presence rule holds."})
    share = Rounded(metadata={"description": "Share of the article's sentences carrying the frame."})
    evidence = fields.List(fields.Nested(EvidenceSchema))


class StanceSummarySchema(ma.Schema):
    target = fields.String(metadata={"example": "ukraine-support"})
    label = fields.String(
        allow_none=True,
        metadata={
            "description": "favor / against / neutral; null when the article never concerns the target."
        },
    )
    scores = fields.Dict(keys=fields.String(), values=Rounded())


class StanceResultSchema(StanceSummarySchema):
    evidence = fields.List(fields.Nested(EvidenceSchema))


class ModelRefSchema(ma.Schema):
    version = fields.String(metadata={"example": "conflict-sparse-3f787990ab0d"})
    codebook = fields.String(metadata={"example": "conflict"})
    codebook_hash = fields.String(metadata={"example": "b302e27efa3a409c"})


class ClassificationSchema(OneOrManySchema):
    """An ``ArticleClassification``: one per submitted article, in request order.

    ``dump`` writes ``ArticleClassification`` objects with ``dump_classification`` (the same dict
    the fields below produce, in a fraction of the time); the fields document the answer.
    """

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        items = obj if isinstance(obj, list) else [obj]
        if not all(type(item) is ArticleClassification for item in items):
            return super().dump(obj, many=many)
        if many is None and isinstance(obj, list):
            many = True
        return [dump_classification(item) for item in items] if many else dump_classification(obj)

    status = fields.String(
        metadata={
            "description": "`ok`, `insufficient_text` (no usable sentence) or `unsupported_language`.",
            "enum": ["ok", "insufficient_text", "unsupported_language"],
        }
    )
    language = fields.String(
        allow_none=True, metadata={"description": "Detected language (ISO 639-1), e.g. `de`."}
    )
    message = fields.Function(
        status_message,
        metadata={"type": "string", "nullable": True, "description": _MESSAGE_DOC},
    )
    n_sentences = fields.Integer()
    frames = fields.List(fields.Nested(FrameResultSchema))
    dominant_frame = fields.String(allow_none=True)
    stance = fields.Nested(StanceResultSchema)
    model = fields.Nested(ModelRefSchema)


class ClassificationSummarySchema(ma.Schema):
    """What an article response carries about a stored ``ArticleClassification``."""

    status = fields.String()
    language = fields.String(allow_none=True, metadata={"description": "Detected language."})
    message = fields.Function(
        status_message,
        metadata={"type": "string", "nullable": True, "description": _MESSAGE_DOC},
    )
    frames = fields.List(
        fields.String(), attribute="present_frames", metadata={"description": "Keys of the frames present."}
    )
    dominant_frame = fields.String(allow_none=True)
    stance = fields.Nested(StanceSummarySchema)
    model = fields.Nested(ModelRefSchema)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), DECIMALS)


def _evidence(evidence: Evidence) -> dict[str, Any]:
    out = {
        "sentence": evidence.sentence,
        "start": int(evidence.start),
        "end": int(evidence.end),
        "score": _rounded(evidence.score),
    }
    if evidence.field != "text":
        out["field"] = evidence.field
    return out


def dump_classification(c: ArticleClassification) -> dict[str, Any]:
    """What ``ClassificationSchema``'s fields dump for ``c``, written out.

    Why: marshmallow walks ~140 field objects for one article (0.3 ms of a ~3 ms request);
    ``tests/service/test_classify_dump.py`` holds this equal to the fields' own dump.
    """
    score = FrameScore()
    return {
        "status": c.status,
        "language": c.language,
        "message": status_message(c),
        "n_sentences": int(c.n_sentences),
        "frames": [
            {
                "key": f.key,
                "label": f.label,
                "score": score._serialize(f.score, "score", f),
                "present": bool(f.present),
                "share": _rounded(f.share),
                "evidence": [_evidence(e) for e in f.evidence],
            }
            for f in c.frames
        ],
        "dominant_frame": c.dominant_frame,
        "stance": {
            "target": c.stance.target,
            "label": c.stance.label,
            "scores": {str(k): _rounded(v) for k, v in c.stance.scores.items()},
            "evidence": [_evidence(e) for e in c.stance.evidence],
        },
        "model": {
            "version": c.model.version,
            "codebook": c.model.codebook,
            "codebook_hash": c.model.codebook_hash,
        },
    }
