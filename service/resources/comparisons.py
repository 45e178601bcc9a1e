"""/v1/compare and /v1/events/{key}/comparison: how outlets frame the same story, with statistics."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from comparison import compare_counts, compare_outlets
from service.analysis import Selection, comparison_options, render, submitted_records
from service.parsing import Blueprint
from service.schemas.common import PROBLEM
from service.schemas.comparisons import (
    SYNDICATION_PAGE,
    CompareArgsSchema,
    CompareBodySchema,
    EventComparisonArgsSchema,
    EventsComparisonArgsSchema,
    TablesResponseSchema,
)
from service.security import requires_scope
from service.storage.db import get_session
from service.storage.events import get_event
from service.stored_comparison import counts_digest, stored_counts

blp = Blueprint(
    "comparisons",
    __name__,
    url_prefix="/v1",
    description="Compare outlets: frame prevalence with Wilson intervals, Jensen-Shannon divergence, "
    "per-frame tests with Benjamini-Hochberg correction, stance, distinctive vocabulary, omissions. "
    "Tidy JSON, CSV (`?format=csv&table=...` or `Accept: text/csv`) or Vega-Lite (`?format=vega-lite`).",
)

_COMPARE_EXAMPLE = {
    "articles": [
        {
            "id": "hg-1",
            "outlet": "Harbour Gazette",
            "outlet_attributes": {"type": "independent"},
            "title": "Allies pledge air defence",
            "text": "Germany pledged new air "
            "defence systems to Ukraine on Monday. The package includes missiles.",
        },
        {
            "id": "ew-1",
            "outlet": "Eastern Wire",
            "outlet_attributes": {"type": "state-aligned"},
            "title": "Moscow warns of escalation",
            "text": "Moscow warned that new "
            "Western weapons deliveries risk a direct confrontation with NATO.",
        },
    ],
    "group_by": "type",
    "min_articles": 1,
}


def _compare(selection: Selection, args: dict[str, Any], *, stratify_by_event: bool = False) -> Any:
    """Compare submitted articles' outlets (or groups) over the frames the model labelled."""
    result = compare_outlets(
        selection.records,
        selection.frame_keys,
        group_of=selection.group_of(args.get("group_by")),
        group_by=args.get("group_by"),
        stratify_by_event=stratify_by_event,
        syndication_source=selection.syndication_source,
        **comparison_options(args),
    )
    return render(result, args, selection.model, records=selection.records)


def _compare_stored(
    keys: list[str], args: dict[str, Any], *, event: Any, stratify_by_event: bool = False
) -> Any:
    """Compare stored articles of the events (404 for an unknown event key), counted in SQL."""
    session = get_session()
    for key in keys:
        get_event(session, key)
    stored = stored_counts(
        session,
        group_by=args.get("group_by"),
        syndicated=args.get("syndicated", "once"),
        event=event,
        outlets=args.get("outlets"),
        model_version=args.get("model_version"),
        target=args.get("target"),
        syndication_limit=args.get("syndication_limit", SYNDICATION_PAGE),
        syndication_offset=args.get("syndication_offset", 0),
    )
    result = compare_counts(
        stored.counts,
        stored.frame_keys,
        term_counts=stored.term_counts,
        syndication=stored.syndication,
        group_of=stored.group_of(args.get("group_by")),
        group_by=args.get("group_by"),
        stratify_by_event=stratify_by_event,
        **comparison_options(args),
    )
    sample = stored.notes.get("vocabulary_sample")
    articles = {"n": stored.n_articles, "hash": counts_digest(stored.counts)}
    if sample:
        articles["vocabulary_sample_hash"] = sample["hash"]
    return render(result, args, stored.model, extra_metadata=stored.notes, articles=articles)


@blp.route("/compare")
class Compare(MethodView):
    @requires_scope("read")
    @blp.arguments(CompareArgsSchema, location="query")
    @blp.arguments(CompareBodySchema, example=_COMPARE_EXAMPLE)
    @blp.response(200, TablesResponseSchema)
    @blp.alt_response(413, **PROBLEM, description="More text in the request than MAX_CLASSIFY_CHARS.")
    @blp.alt_response(422, **PROBLEM, description="Invalid field, or data that cannot support a comparison.")
    def post(self, args: dict[str, Any], body: dict[str, Any]):
        """Classify the submitted articles and compare their outlets in one call (nothing stored)

        JSON `{metadata, tables}` by default; `?format=csv&table=<name>` (or `Accept: text/csv`)
        answers one table as `text/csv`; `?format=vega-lite` answers the outlet x frame heatmap spec.
        """
        selection = submitted_records(body.pop("articles"), body.pop("target", None))
        return _compare(selection, {**body, **args})


@blp.route("/events/<string:key>/comparison")
class EventComparison(MethodView):
    @blp.arguments(EventComparisonArgsSchema, location="query")
    @blp.response(200, TablesResponseSchema)
    @blp.alt_response(404, **PROBLEM, description="No such event.")
    @blp.alt_response(422, **PROBLEM, description="Invalid parameter, or labels from several model versions.")
    def get(self, args: dict[str, Any], key: str):
        """Compare outlets over the stored articles of one event (one model version, never mixed)

        Same output formats as `POST /v1/compare`. A 422 naming `model_version` means some of the
        event's articles have no result from that model version (run `flask classify --missing`).
        """
        return _compare_stored([key], args, event=key)


@blp.route("/comparisons")
class EventsComparison(MethodView):
    @blp.arguments(EventsComparisonArgsSchema, location="query")
    @blp.response(200, TablesResponseSchema)
    @blp.alt_response(404, **PROBLEM, description="No such event.")
    @blp.alt_response(422, **PROBLEM, description="Invalid parameter, or labels from several model versions.")
    def get(self, args: dict[str, Any]):
        """Compare outlets or groups across several stored events, with tests stratified by event

        `events=a,b,c` (or `events=all`), typically with `group_by=<attribute>`: frame and stance tests
        compare units *within* events (generalised Cochran-Mantel-Haenszel, Monte Carlo when counts are
        small); `event_prevalence` breaks the shares down per event and `coverage` says which units
        covered which events, and with how many outlets.
        """
        events = [] if args["events"] == ["all"] else args["events"]
        return _compare_stored(events, args, event=events, stratify_by_event=True)
