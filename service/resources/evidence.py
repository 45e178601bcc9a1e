"""/v1/evidence: the stored articles behind a heatmap cell or stance bar, with their evidence sentences."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from service.classifier_registry import get_model
from service.classifying import check_stored_frame
from service.parsing import Blueprint
from service.schemas.common import PROBLEM
from service.schemas.evidence import EvidenceArgsSchema, EvidenceResponseSchema
from service.storage.classified_rows import stored_version
from service.storage.db import get_session
from service.storage.errors import InvalidItemsError
from service.storage.events import get_event
from service.storage.evidence import fetch_evidence, outlets_in_group

blp = Blueprint(
    "evidence",
    __name__,
    url_prefix="/v1/evidence",
    description="The articles behind one cell of a comparison (an outlet or group and a frame or stance "
    "label), each with the sentences that carry the label and their character offsets.",
)


@blp.route("")
class Evidence(MethodView):
    @blp.arguments(EvidenceArgsSchema, location="query")
    @blp.response(200, EvidenceResponseSchema)
    @blp.alt_response(404, **PROBLEM, description="No such event.")
    @blp.alt_response(
        422, **PROBLEM, description="Invalid parameter (e.g. a frame the model does not label)."
    )
    def get(self, args: dict[str, Any]):
        """Articles of an outlet or group that use a frame (or take a stance), with evidence sentences

        `frame=escalation-risk&outlets=eastern-wire&events=port-selenko-strike` lists the articles a
        heatmap cell counts; `group_by=type&group=state-aligned` names a group's outlets instead.
        Each article has its `text` and the `evidence` sentences with `start`/`end` offsets into it,
        as stored at classification. Counts here are articles; comparisons count a syndicated copy
        once per unit (`n_effective`).
        """
        return evidence_for(args)


def evidence_for(args: dict[str, Any]) -> dict[str, Any]:
    """Resolve events, group and model version, then read the matching articles (one query + a count)."""
    session = get_session()
    events = args.get("events")
    for key in events or ():
        if key != "all":
            get_event(session, key)  # 404 for an unknown event
    event = None if events is None else ([] if events == ["all"] else events)
    version = args.get("model_version") or get_model().version
    model = get_model().model_ref if version == get_model().version else None
    if model is None:
        stored = stored_version(session, version)
        if stored is None:
            detail = f"No stored results from model {version}."
            raise InvalidItemsError(
                [{"field": "model_version", "location": "query", "detail": detail}], detail
            )
        model = stored.model
    check_stored_frame(session, version, args.get("frame"))
    outlets = args.get("outlets")
    if args.get("group_by"):
        members = outlets_in_group(session, args["group_by"], args["group"])
        outlets = [o for o in members if not outlets or o in outlets]
        if not outlets:
            return {"model": model, **_cell(args), "outlets": [], "n_articles": 0, "articles": []}
    n_articles, articles = fetch_evidence(
        session,
        version,
        frame=args.get("frame"),
        stance=args.get("stance"),
        target=args.get("target"),
        outlets=outlets,
        event=event,
        limit=args["limit"],
    )
    return {
        "model": model,
        **_cell(args),
        "outlets": outlets or [],
        "n_articles": n_articles,
        "articles": articles,
    }


def _cell(args: dict[str, Any]) -> dict[str, Any]:
    return {"frame": args.get("frame"), "stance": args.get("stance")}
