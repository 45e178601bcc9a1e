"""/v1/events: news events (an election, a strike) that group coverage across outlets."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from service.parsing import Blueprint
from service.resources.common import page_body, pop_page_args
from service.schemas.common import PROBLEM
from service.schemas.events import (
    EventCreateSchema,
    EventListArgsSchema,
    EventPageSchema,
    EventSchema,
    EventUpdateSchema,
)
from service.storage import events as dao
from service.storage.db import get_session

blp = Blueprint(
    "events",
    __name__,
    url_prefix="/v1/events",
    description="Events, identified by a key you choose (e.g. `election-2026`).",
)


@blp.route("")
class Events(MethodView):
    @blp.arguments(EventListArgsSchema, location="query")
    @blp.response(200, EventPageSchema)
    def get(self, args: dict[str, Any]):
        """List events (oldest first; follow `next` for more)"""
        return page_body(dao.list_events(get_session(), **pop_page_args(args)))

    @blp.arguments(EventCreateSchema)
    @blp.response(201, EventSchema)
    @blp.alt_response(409, **PROBLEM, description="The key is taken.")
    def post(self, data: dict[str, Any]):
        """Create an event"""
        session = get_session()
        event = dao.create_event(session, data)
        session.commit()
        return event


@blp.route("/<key>")
class EventItem(MethodView):
    @blp.etag
    @blp.response(200, EventSchema)
    @blp.alt_response(404, **PROBLEM)
    def get(self, key: str):
        """Get one event"""
        return dao.get_event(get_session(), key)

    @blp.etag
    @blp.arguments(EventUpdateSchema)
    @blp.response(200, EventSchema)
    @blp.alt_response(404, **PROBLEM)
    def patch(self, changes: dict[str, Any], key: str):
        """Update an event (send `If-Match` with the ETag from GET)"""
        session = get_session()
        event = dao.get_event(session, key)
        blp.check_etag(event, EventSchema)
        dao.update_event(session, event, changes)
        session.commit()
        return event

    @blp.etag
    @blp.response(204)
    @blp.alt_response(404, **PROBLEM)
    def delete(self, key: str):
        """Delete an event; its articles stay, without an event (send `If-Match`)"""
        session = get_session()
        event = dao.get_event(session, key)
        blp.check_etag(event, EventSchema)
        dao.delete_event(session, event)
        session.commit()
