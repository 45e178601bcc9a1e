"""/v1/trends: frame prevalence and stance per outlet over time (day / week / month buckets)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from comparison import frame_trends
from service.analysis import render, trend_selection
from service.parsing import Blueprint
from service.schemas.common import PROBLEM
from service.schemas.comparisons import TablesResponseSchema, TrendArgsSchema
from service.storage.db import get_session

blp = Blueprint(
    "trends",
    __name__,
    url_prefix="/v1/trends",
    description="Frame and stance trends over stored articles (tidy JSON, CSV or Vega-Lite).",
)


@blp.route("")
class Trends(MethodView):
    @blp.arguments(TrendArgsSchema, location="query")
    @blp.response(200, TablesResponseSchema)
    @blp.alt_response(422, **PROBLEM, description="Invalid parameter, or labels from several model versions.")
    def get(self, args: dict[str, Any]):
        """Frame prevalence and stance shares per outlet per day, week or month, with Wilson intervals"""
        filters = {k: args.get(k) for k in ("outlets", "event", "published_from", "published_to")}
        selection, note = trend_selection(
            get_session(),
            args["interval"],
            model_version=args.get("model_version"),
            target=args.get("target"),
            **filters,
        )
        options = {k: args[k] for k in ("min_articles", "confidence_level") if k in args}
        group_by = args.get("group_by")
        result = frame_trends(
            selection.records,
            selection.frame_keys,
            interval=args["interval"],
            group_of=selection.group_of(group_by),
            group_by=group_by,
            **options,
        )
        return render(result, args, selection.model, records=selection.records, extra_metadata=note)
