"""The MCP server as an assistant runs it: `harken mcp` in a real subprocess over stdio,
driven by the MCP SDK's own client, acting as the token in HARKEN_TOKEN."""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest
from django.db import connection
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from harken.api.models import ALL_SCOPES
from harken.api.tokens import do_create_token
from harken.core.models import Member
from harken.inbox.models import Message
from harken.inbox.states import State
from tests.api.mcp.running import run

pytestmark = pytest.mark.django_db(transaction=True)

TOOLS = {"search_mentions", "summarise_topic_week", "list_needs_reply", "draft_reply", "draft_post"}


def database_url() -> str:
    """The test database this process made, for the subprocess to open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def secret_for(user, workspace, scopes=ALL_SCOPES) -> str:
    member = Member.objects.get(user=user, workspace=workspace)
    return do_create_token(member, "assistant", list(scopes)).secret


async def session(secret: str, calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    env = {**os.environ, "HARKEN_TOKEN": secret, "DATABASE_URL": database_url()}
    env["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    params = StdioServerParameters(command=sys.executable, args=["-m", "harken", "mcp"], env=env)
    async with Client(params) as client:
        listed = await client.list_tools()
        results: list[Any] = [{tool.name for tool in listed.tools}]
        for name, arguments in calls:
            results.append(await client.call_tool(name, arguments))
        return results


def test_an_assistant_searches_and_drafts_a_reply_that_is_held(
    workspace, alice, account, conversation, mastodon
):
    secret = secret_for(alice, workspace)
    names, found, drafted, needs = run(
        session(
            secret,
            [
                ("search_mentions", {"query": "order"}),
                ("draft_reply", {"conversation": conversation.pk, "text": "It ships today!"}),
                ("list_needs_reply", {}),
            ],
        )
    )
    assert names == TOOLS
    assert not found.is_error
    texts = [m["text"] for m in found.structured_content["mentions"]]
    assert texts == ["Where is my order?"]
    assert not drafted.is_error, drafted.content
    assert drafted.structured_content["state"] == "held"
    message = Message.objects.get(conversation=conversation)
    assert message.state == State.HELD and "AI assistant" in message.hold_reason
    assert message.author == alice
    assert mastodon.hits("/api/v1/statuses") == []  # nothing was sent
    assert [c["id"] for c in needs.structured_content["conversations"]] == [conversation.pk]


def test_a_viewers_token_cannot_draft(workspace, victor, account, conversation):
    secret = secret_for(victor, workspace)
    _, refused, found = run(
        session(
            secret,
            [
                ("draft_reply", {"conversation": conversation.pk, "text": "Hello"}),
                ("search_mentions", {"query": "order"}),
            ],
        )
    )
    assert refused.is_error
    assert "Not allowed" in refused.content[0].text
    assert not Message.objects.filter(conversation=conversation).exists()
    assert not found.is_error  # reading is what a viewer may do


def test_a_token_without_the_write_scope_cannot_draft(workspace, alice, account, conversation):
    secret = secret_for(alice, workspace, [s for s in ALL_SCOPES if s.endswith(":read")])
    _, refused = run(
        session(secret, [("draft_reply", {"conversation": conversation.pk, "text": "Hi"})])
    )
    assert refused.is_error and "conversations:write" in refused.content[0].text
    assert not Message.objects.filter(conversation=conversation).exists()
