"""The API's version 1: one ``NinjaAPI`` with bearer-token authentication, the error
handlers, and a router per resource."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.parser import Parser
from ninja.security import HttpBearer
from ninja.types import DictStrAny

from harken.api import errors
from harken.api.auth import caller_for
from harken.api.caller import Caller
from harken.api.routes import (
    analytics,
    campaigns,
    contacts,
    conversations,
    exports,
    mentions,
    posts,
    sources,
    topics,
)


class ObjectParser(Parser):
    """Bodies are JSON objects: an array or a bare value is refused (ninja would read its
    missing fields as left out and accept it)."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("The body must be a JSON object.")
        return data


class TokenAuth(HttpBearer):
    """``Authorization: Bearer hk_…``: a live token, within its rate limit."""

    openapi_description = "A personal access token made in Settings → API."

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        return caller_for(token)


api = NinjaAPI(
    title="Harken API",
    version="1",
    description=(
        "Harken's workspace data: mentions, topics, sources, conversations, contacts, "
        "posts, campaigns and their link clicks, analytics and exports. Every call acts as "
        "the member who made the token, with that member's role and authority, narrowed by "
        "the token's scopes."
    ),
    auth=TokenAuth(),
    urls_namespace="api-v1",
    docs_url=None,
    parser=ObjectParser(),
)
errors.install(api)
for module in (
    mentions,
    topics,
    sources,
    conversations,
    contacts,
    posts,
    campaigns,
    analytics,
    exports,
):
    api.add_router("/", module.router)
