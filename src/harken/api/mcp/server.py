"""The MCP server: Harken's assistant tools over stdio (``harken mcp``) or streamable HTTP
(``harken mcp --http``), each call acting as one personal access token.

Over stdio the token comes from ``HARKEN_TOKEN`` once, at start; over HTTP each request
brings its own ``Authorization: Bearer hk_…`` (checked by ``BearerTokens``). Either way
the token's ``Caller`` sits in a context variable the tools read, and every tool runs an
API operation, so scopes, roles and authority are the API's.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections
from django.http import Http404
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from harken.api import ratelimit
from harken.api.caller import Caller
from harken.api.errors import ApiError
from harken.api.mcp import tools
from harken.api.tokens import find_token, touch

CALLER: contextvars.ContextVar[Caller | None] = contextvars.ContextVar("caller", default=None)

INSTRUCTIONS = (
    "Harken is a social media command center. Search what people say (search_mentions), "
    "sum up a topic's week, see which conversations need a reply, and draft replies and "
    "posts. Drafts are held for a person: nothing you write is sent or published by you."
)


def caller_for(secret: str) -> Caller | None:
    token = find_token(secret.strip())
    if token is None:
        return None
    touch(token)
    return Caller(token)


def current_caller(ctx: Context | None) -> Caller | None:
    """Over HTTP, the request's Bearer token; over stdio, the one read at start."""
    headers = ctx.headers if ctx is not None else None
    if headers is not None:
        scheme, _, secret = (headers.get("authorization") or "").partition(" ")
        return caller_for(secret) if scheme.lower() == "bearer" else None
    return CALLER.get()


def _run(
    ctx: Context | None, tool: Callable[..., dict[str, Any]], **arguments: Any
) -> dict[str, Any]:
    """Run ``tool`` as the current caller; refusals become the tool's error, in words."""
    close_old_connections()
    caller = current_caller(ctx)
    if caller is None:
        raise ToolError("No valid Harken token: set HARKEN_TOKEN or send a Bearer token.")
    try:
        caller.token.refresh_from_db()
        caller.token.member.refresh_from_db()
        if not caller.token.is_active:
            raise ToolError("This token was revoked or has expired.")
        # The API's allowance per token and minute: an assistant's calls count with the
        # scripts' requests on the same token.
        wait = ratelimit.spend(caller.token.pk)
        if wait:
            raise ToolError(f"Too many requests with this token; try again in {wait} s.")
        return tool(caller, **arguments)
    except ApiError as refused:
        raise ToolError(str(refused)) from None
    except PermissionDenied as refused:
        raise ToolError(f"Not allowed: {refused}") from None
    except Http404:
        raise ToolError("Not found in this workspace.") from None
    except ValidationError as invalid:
        raise ToolError(" ".join(invalid.messages)) from None
    finally:
        close_old_connections()


def build() -> MCPServer:
    server: MCPServer = MCPServer("Harken", instructions=INSTRUCTIONS)

    @server.tool()
    def search_mentions(
        query: str = "",
        topic: int | None = None,
        sentiment: str = "",
        intent: str = "",
        since: str = "",
        limit: int = 20,
        ctx: Context | None = None,
    ) -> dict[str, Any]:
        """Mentions newest first, narrowed as the stream narrows them: words (full-text
        search), a topic id, sentiment (positive, neutral, negative), intent (question,
        complaint, praise, purchase_intent, …) and a first day (YYYY-MM-DD)."""
        return _run(
            ctx,
            tools.search_mentions,
            query=query,
            topic=topic,
            sentiment=sentiment,
            intent=intent,
            since=since,
            limit=limit,
        )

    @server.tool()
    def summarise_topic_week(topic: int, ctx: Context | None = None) -> dict[str, Any]:
        """A topic's last seven days: mentions per day, sentiment, intents, loudest
        authors and the latest mentions."""
        return _run(ctx, tools.summarise_topic_week, topic=topic)

    @server.tool()
    def list_needs_reply(limit: int = 20, ctx: Context | None = None) -> dict[str, Any]:
        """The inbox's conversations that need a reply, most urgent first."""
        return _run(ctx, tools.list_needs_reply, limit=limit)

    @server.tool()
    def draft_reply(conversation: int, text: str, ctx: Context | None = None) -> dict[str, Any]:
        """Draft a reply to a conversation. It is held for a person to approve; it is
        never sent by this tool."""
        return _run(ctx, tools.draft_reply, conversation=conversation, text=text)

    @server.tool()
    def draft_post(
        text: str,
        accounts: list[int],
        stage: str = "awareness",
        category: str = "educational",
        ctx: Context | None = None,
    ) -> dict[str, Any]:
        """Draft a post for the given account ids. It stays a draft for a person to
        schedule or send for approval; it is never scheduled by this tool."""
        return _run(
            ctx, tools.draft_post, text=text, accounts=accounts, stage=stage, category=category
        )

    return server
