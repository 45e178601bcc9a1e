"""/v1/keys: API key management; every method needs a key with the ``admin`` scope."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from service.parsing import Blueprint
from service.resources.common import page_body, pop_page_args
from service.schemas.common import PROBLEM
from service.schemas.keys import (
    ApiKeyCreatedSchema,
    ApiKeyCreateSchema,
    ApiKeyListArgsSchema,
    ApiKeyPageSchema,
    ApiKeySchema,
)
from service.storage import api_keys as dao
from service.storage.db import get_session

blp = Blueprint(
    "keys",
    __name__,
    url_prefix="/v1/keys",
    description="API keys (admin only). Tokens are stored hashed and shown once, when created.",
)


@blp.route("")
class Keys(MethodView):
    @blp.arguments(ApiKeyListArgsSchema, location="query")
    @blp.response(200, ApiKeyPageSchema)
    def get(self, args: dict[str, Any]):
        """List API keys (never their tokens)"""
        return page_body(dao.list_keys(get_session(), **pop_page_args(args), **args))

    @blp.arguments(ApiKeyCreateSchema)
    @blp.response(201, ApiKeyCreatedSchema)
    def post(self, data: dict[str, Any]):
        """Create a key; the answer holds the token, which cannot be retrieved again"""
        session = get_session()
        created = dao.create_key(session, data["name"], data["scopes"])
        session.commit()
        return created


@blp.route("/<int:key_id>")
class KeyItem(MethodView):
    @blp.response(200, ApiKeySchema)
    @blp.alt_response(404, **PROBLEM)
    def get(self, key_id: int):
        """Get one key's metadata"""
        return dao.get_key(get_session(), key_id)

    @blp.response(200, ApiKeySchema)
    @blp.alt_response(404, **PROBLEM)
    def delete(self, key_id: int):
        """Revoke a key (it stays listed with `revoked_at`); revoking again changes nothing"""
        session = get_session()
        key = dao.revoke_key(session, dao.get_key(session, key_id))
        session.commit()
        return key
