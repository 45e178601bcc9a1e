"""Schemas for comparisons, trends and profiles: query options, the submitted articles, tidy output."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate
from webargs.fields import DelimitedList

from service.limits import ARTICLE_COUNT, BATCH_ITEMS
from service.schemas.article_shape import ArticleShapeSchema
from service.schemas.attributes import GROUP_BY, SYNDICATED
from service.schemas.checks import check_target
from service.schemas.common import Key, OutletRef
from service.schemas.dates import PublishedAt

COMPARISON_TABLES = (
    "outlets",
    "groups",
    "syndication",
    "syndication_units",
    "event_prevalence",
    "coverage",
    "prevalence",
    "dominant_frames",
    "stance",
    "frame_tests",
    "divergence",
    "distinctive_terms",
    "stance_test",
    "omissions",
    "warnings",
    "corrected_frame_tests",
)
SYNDICATION_PAGE = 100  # clusters listed by default: the answer must not grow with the collection
MAX_SYNDICATION_PAGE = 10_000
TREND_TABLES = ("prevalence", "stance", "warnings", "corrected_frame_tests")
PROFILE_TABLES = ("prevalence", "stance", "stratified_tests", "warnings")
_FORMAT_HELP = (
    "`json` (default): `{metadata, tables}`; `csv`: one table (see `table`), also chosen by "
    "`Accept: text/csv`; `vega-lite`: a Vega-Lite v5 spec with the data inline."
)


def _format(choices: tuple[str, ...]) -> fields.String:
    return fields.String(validate=validate.OneOf(choices), metadata={"description": _FORMAT_HELP})


def _table(choices: tuple[str, ...], default: str) -> fields.String:
    return fields.String(
        validate=validate.OneOf(choices),
        metadata={"description": f"Which table a CSV answer holds (default `{default}`)."},
    )


class StatisticsArgsSchema(ma.Schema):
    min_articles = fields.Integer(
        validate=[validate.Range(min=1), ARTICLE_COUNT],
        metadata={"description": "Outlets with fewer articles get a `small_sample` warning (default 5)."},
    )
    n_terms = fields.Integer(
        validate=validate.Range(min=0, max=200), metadata={"description": "Distinctive terms per outlet."}
    )
    confidence_level = fields.Float(validate=validate.Range(min=0.5, max=0.999, max_inclusive=True))
    group_by = GROUP_BY


class CorrectionArgsSchema(ma.Schema):
    """``correction=validation`` (figures shipped with the model) or ``annotations`` (with ``coders``)."""

    correction = fields.String(
        validate=validate.OneOf(("validation", "annotations")),
        metadata={
            "description": "Also give shares corrected for the model's measured errors (`share_corrected`, "
            "`ci_low_corrected`, `ci_high_corrected`, `correction_method` in every prevalence and stance "
            "row, and a `corrected_frame_tests` table; frames by a calibration fitted across validation "
            "units): `validation` uses the figures shipped with the model (10 coded events), `annotations` "
            "your coders' codes of stored articles, grouped by outlet (see docs/prevalence-correction.md)."
        },
    )
    coders = DelimitedList(
        Key(),
        validate=validate.Length(min=1, max=50),
        metadata={"description": "With `correction=annotations`: whose codes (majority), comma-separated."},
    )

    @ma.validates_schema
    def _coders_with_annotations(self, data: dict, **_: object) -> None:
        if data.get("correction") == "annotations" and not data.get("coders"):
            raise ma.ValidationError("correction=annotations needs coders=a,b", field_name="coders")


class CompareArgsSchema(CorrectionArgsSchema):
    format = _format(("json", "csv", "vega-lite"))
    table = _table(COMPARISON_TABLES, "prevalence")


class CompareArticleSchema(ArticleShapeSchema):
    """One article to compare: the shared article shape with ``outlet`` required (the comparison
    groups by it, as given); ``id``, ``published_at``, ``event`` and ``outlet_attributes`` are used."""

    outlet = OutletRef(required=True)


class CompareBodySchema(StatisticsArgsSchema):
    articles = fields.List(
        fields.Nested(CompareArticleSchema), required=True, validate=[validate.Length(min=2), BATCH_ITEMS]
    )
    target = fields.String(load_default=None, validate=check_target)
    syndicated = SYNDICATED


class StoredArgsSchema(StatisticsArgsSchema, CompareArgsSchema):
    """What every query over stored articles may say: outlets, target, model version, grouping."""

    outlets = DelimitedList(
        OutletRef(), metadata={"description": "Only these outlets (keys or names separated by commas)."}
    )
    target = fields.String(validate=check_target)
    model_version = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Labels of this model version (default: the served model)."},
    )


class EventComparisonArgsSchema(StoredArgsSchema):
    syndicated = SYNDICATED
    syndication_limit = fields.Integer(
        validate=validate.Range(min=0, max=MAX_SYNDICATION_PAGE),
        metadata={
            "description": f"Clusters in the `syndication` table (default {SYNDICATION_PAGE}), largest "
            "first; `metadata.syndication_summary` gives the totals and the `next_offset`."
        },
    )
    syndication_offset = fields.Integer(
        validate=validate.Range(min=0),
        metadata={"description": "Skip this many clusters (in the table's order): the next page."},
    )


class EventsComparisonArgsSchema(EventComparisonArgsSchema):
    events = DelimitedList(
        Key(),
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata={
            "description": "Event keys separated by commas, or `all` (every article assigned to an event). "
            "Tests are stratified by event (generalised Cochran-Mantel-Haenszel).",
            "example": "port-selenko-strike,kessa-ceasefire-talks",
        },
    )


class TrendArgsSchema(StoredArgsSchema):
    interval = fields.String(load_default="week", validate=validate.OneOf(("day", "week", "month")))
    event = Key()
    published_from = PublishedAt(keep_precision=False, metadata={"description": "Inclusive."})
    published_to = PublishedAt(keep_precision=False, metadata={"description": "Exclusive."})
    table = _table(TREND_TABLES, "prevalence")
    variable = fields.String(
        validate=validate.OneOf(("frame", "stance")),
        metadata={"description": "What the Vega-Lite trend spec plots (default `frame`)."},
    )


class ProfileArgsSchema(CorrectionArgsSchema):
    format = _format(("json", "csv"))
    table = _table(PROFILE_TABLES, "prevalence")
    model_version = fields.String(validate=validate.Length(min=1, max=100))
    target = fields.String(validate=check_target)
    published_from = PublishedAt(keep_precision=False)
    published_to = PublishedAt(keep_precision=False)
    min_articles = fields.Integer(validate=[validate.Range(min=1), ARTICLE_COUNT])
    confidence_level = fields.Float(validate=validate.Range(min=0.5, max=0.999))
    group_by = GROUP_BY


class TablesResponseSchema(ma.Schema):
    """Tidy tables (one row per outlet × frame, outlet pair, term, ...) plus what produced them."""

    metadata = fields.Dict(
        metadata={
            "description": "`model_versions` and `codebook_hashes` of the labels, the served `model`, "
            "confidence level, correction method, outlets, frames, stance target."
        }
    )
    tables = fields.Dict(keys=fields.String(), values=fields.List(fields.Dict()))
