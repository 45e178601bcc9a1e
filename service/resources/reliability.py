"""/v1/reliability: how far coders agree (Krippendorff's alpha), and how a model does against them."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from comparison import to_csv
from service.analysis import CSV_MIMETYPE, wants_csv
from service.parsing import Blueprint
from service.reliability import measure_reliability
from service.schemas.common import PROBLEM
from service.schemas.reliability import ReliabilityArgsSchema, ReliabilityResponseSchema
from service.storage.db import get_session

blp = Blueprint(
    "reliability",
    __name__,
    url_prefix="/v1/reliability",
    description="Inter-coder reliability of stored annotations: Krippendorff's alpha (nominal) per frame, "
    "dominant frame and stance, with a seeded bootstrap interval; optionally a stored model as a coder.",
)


@blp.route("")
class Reliability(MethodView):
    @blp.arguments(ReliabilityArgsSchema, location="query")
    @blp.response(200, ReliabilityResponseSchema)
    @blp.alt_response(404, **PROBLEM, description="No such codebook.")
    @blp.alt_response(422, **PROBLEM, description="Unknown coders, target or model; too few shared articles.")
    def get(self, args: dict[str, Any]):
        """Agreement among coders per frame, dominant frame and stance (and with a model)

        `agreement` rows: alpha with its bootstrap interval, percent agreement, units, coders, a
        `flag` (alpha < .667 `unacceptable`, < .8 `tentative`); with `model`, the same with the model
        as one more coder, and `model_scores`: precision/recall/F1 against each coder and the consensus.
        """
        result, metadata = measure_reliability(get_session(), args)
        if wants_csv(args):
            table = args.get("table") or "agreement"
            response = Response(to_csv(result.tables()[table]), mimetype=CSV_MIMETYPE)
            response.headers["Content-Disposition"] = f'inline; filename="{table}.csv"'
            response.headers["X-Codebook-Hashes"] = metadata["codebook"]["hash"]
            return response
        return {"metadata": {**result.metadata(), **metadata}, "tables": result.tables()}
