"""/v1/outlets/{key}/profile: one outlet's framing and stance across events, against the others."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from comparison import outlet_profile
from service.analysis import render, stored_records
from service.parsing import Blueprint
from service.schemas.common import PROBLEM
from service.schemas.comparisons import ProfileArgsSchema, TablesResponseSchema
from service.storage.db import get_session
from service.storage.outlets import get_outlet

blp = Blueprint(
    "profiles",
    __name__,
    url_prefix="/v1/outlets",
    description="Outlet profiles: prevalence per event and event-stratified (Cochran-Mantel-Haenszel) "
    "tests against the other outlets.",
)


@blp.route("/<string:key>/profile")
class OutletProfile(MethodView):
    @blp.arguments(ProfileArgsSchema, location="query")
    @blp.response(200, TablesResponseSchema)
    @blp.alt_response(404, **PROBLEM, description="No such outlet.")
    @blp.alt_response(422, **PROBLEM, description="Invalid parameter, or labels from several model versions.")
    def get(self, args: dict[str, Any], key: str):
        """An outlet's frame and stance profile across events, compared within each event"""
        session = get_session()
        get_outlet(session, key)  # 404 for unknown outlets
        filters = {k: args.get(k) for k in ("published_from", "published_to")}
        selection = stored_records(
            session,
            model_version=args.get("model_version"),
            target=args.get("target"),
            text_chars=0,
            **filters,
        )
        options = {k: args[k] for k in ("min_articles", "confidence_level") if k in args}
        result = outlet_profile(selection.records, selection.frame_keys, outlet=key, **options)
        return render(result, args, selection.model)
