"""Helpers shared by list views: the ``next`` link of a keyset page."""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from service.schemas.common import encode_cursor
from service.storage.pagination import CursorPage


def page_body(page: CursorPage) -> tuple[dict[str, Any], dict[str, str]]:
    """Envelope ``{"items", "next"}`` plus an RFC 8288 ``Link: <...>; rel="next"`` header."""
    if page.next_after is None:
        return {"items": page.items, "next": None}, {}
    params = request.args.to_dict()
    params["cursor"] = encode_cursor(page.next_after)
    url = url_for(request.endpoint, _external=True, **(request.view_args or {}), **params)
    return {"items": page.items, "next": url}, {"Link": f'<{url}>; rel="next"'}


def pop_page_args(args: dict[str, Any]) -> dict[str, Any]:
    """Split cursor/limit from the filters; the storage layer names the cursor ``after``."""
    return {"after": args.pop("cursor", None), "limit": args.pop("limit")}
