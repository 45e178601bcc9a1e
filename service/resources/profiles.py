"""/v1/outlets/{key}/profile: one outlet's framing and stance across events, against the others."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from comparison import NotEnoughDataError, outlet_profile
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
        """An outlet's frame and stance profile across events, compared within each event

        With `group_by=<attribute>` the outlet's group (its value of the attribute) is profiled
        against the other groups within each event, and every table names the `group`.
        """
        session = get_session()
        key = get_outlet(session, key).key  # a key or a display name; 404 for unknown outlets
        filters = {k: args.get(k) for k in ("published_from", "published_to")}
        selection = stored_records(
            session,
            model_version=args.get("model_version"),
            target=args.get("target"),
            text_chars=0,
            **filters,
        )
        options = {k: args[k] for k in ("min_articles", "confidence_level") if k in args}
        group_of = selection.group_of(args.get("group_by"))
        unit = key if group_of is None else profiled_group(group_of, key, args["group_by"])
        result = outlet_profile(
            selection.records,
            selection.frame_keys,
            outlet=unit,
            group_of=group_of,
            group_by=args.get("group_by"),
            **options,
        )
        return render(result, args, selection.model, records=selection.records)


def profiled_group(group_of: dict[str, str | None], key: str, group_by: str) -> str:
    """The outlet's value of ``group_by``, whose group is profiled (a 422 naming ``group_by`` without one)."""
    group = group_of.get(key)
    if not group:
        error = NotEnoughDataError(
            f"outlet {key!r} has no {group_by!r} attribute (or no classified articles)"
        )
        error.errors = [{"field": "group_by", "location": "query", "detail": str(error)}]  # type: ignore[attr-defined]
        raise error
    return group
