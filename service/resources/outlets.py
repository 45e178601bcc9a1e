"""/v1/outlets: the news sources whose coverage is compared."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from service.parsing import Blueprint
from service.resources.common import page_body, pop_page_args
from service.schemas.attributes import MAX_ATTRIBUTES
from service.schemas.common import PROBLEM
from service.schemas.outlet_attributes import (
    CSV_EXAMPLE,
    AttributesUploadArgsSchema,
    AttributesUploadResultSchema,
    OutletAttributesCsvSchema,
)
from service.schemas.outlets import (
    OutletCreateSchema,
    OutletListArgsSchema,
    OutletPageSchema,
    OutletSchema,
    OutletUpdateSchema,
)
from service.storage import outlets as dao
from service.storage.db import get_session

blp = Blueprint(
    "outlets",
    __name__,
    url_prefix="/v1/outlets",
    description="News outlets, identified by a key you choose (e.g. `the-guardian`).",
)


@blp.route("")
class Outlets(MethodView):
    @blp.arguments(OutletListArgsSchema, location="query")
    @blp.response(200, OutletPageSchema)
    def get(self, args: dict[str, Any]):
        """List outlets (oldest first; follow `next` for more)"""
        page = dao.list_outlets(get_session(), **pop_page_args(args), **args)
        return page_body(page)

    @blp.arguments(OutletCreateSchema)
    @blp.response(201, OutletSchema)
    @blp.alt_response(409, **PROBLEM, description="The key is taken.")
    def post(self, data: dict[str, Any]):
        """Create an outlet"""
        session = get_session()
        outlet = dao.create_outlet(session, data)
        session.commit()
        return outlet


@blp.route("/attributes")
class OutletAttributes(MethodView):
    @blp.arguments(AttributesUploadArgsSchema, location="query")
    @blp.arguments(OutletAttributesCsvSchema, content_type="text/csv", example=CSV_EXAMPLE)
    @blp.response(200, AttributesUploadResultSchema)
    @blp.alt_response(415, **PROBLEM, description="The body is not `text/csv`.")
    @blp.alt_response(
        422, **PROBLEM, description="Nothing changed; `errors` names each bad cell by row and field."
    )
    def put(self, args: dict[str, Any], upload: dict[str, Any]):
        """Set many outlets' attributes from a CSV file (all or nothing)

        Header: `key` (or `name`), then one column per attribute (`key,type,leaning`). A non-empty
        cell sets that attribute, an empty cell removes it, attributes without a column are kept.
        Values are checked as in the JSON `attributes` field; every bad row is listed (`row` counts
        the file's lines, the header is row 1; `field` is the column) and nothing is changed.
        """
        session = get_session()
        result = dao.set_outlet_attributes(
            session, upload["by"], upload["rows"], max_attributes=MAX_ATTRIBUTES, **args
        )
        session.commit()
        return result


@blp.route("/<key>")
class OutletItem(MethodView):
    @blp.etag
    @blp.response(200, OutletSchema)
    @blp.alt_response(404, **PROBLEM)
    def get(self, key: str):
        """Get one outlet"""
        return dao.get_outlet(get_session(), key)

    @blp.etag
    @blp.arguments(OutletUpdateSchema)
    @blp.response(200, OutletSchema)
    @blp.alt_response(404, **PROBLEM)
    def patch(self, changes: dict[str, Any], key: str):
        """Update an outlet (send `If-Match` with the ETag from GET)"""
        session = get_session()
        outlet = dao.get_outlet(session, key)
        blp.check_etag(outlet, OutletSchema)
        dao.update_outlet(session, outlet, changes)
        session.commit()
        return outlet

    @blp.etag
    @blp.response(204)
    @blp.alt_response(404, **PROBLEM)
    @blp.alt_response(409, **PROBLEM, description="The outlet still has articles.")
    def delete(self, key: str):
        """Delete an outlet that has no articles (send `If-Match`)"""
        session = get_session()
        outlet = dao.get_outlet(session, key)
        blp.check_etag(outlet, OutletSchema)
        dao.delete_outlet(session, outlet)
        session.commit()
