"""`harken serve` serves the MCP server at /mcp on its own address: a real `harken serve`
(its MCP child relayed by the web server), driven by the MCP SDK's client over streamable
HTTP. And the assistant's tools in the role × operation matrix: each role's token, a
read-only token and another workspace's token may do through MCP exactly what their
member may do, and whatever is drafted is held for a person, never sent."""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from harken.inbox.models import Message
from harken.inbox.states import State
from harken.publishing.models import Post, Variant
from tests.api.conftest import Rows
from tests.api.mcp.running import run
from tests.api.mcp.test_stdio import TOOLS, database_url
from tests.core.processes import free_port, running, serve_argv

pytestmark = pytest.mark.django_db(transaction=True)

EVERYONE = {"owner", "manager", "responder", "viewer", "read_only"}
RESPONDERS = {"owner", "manager", "responder"}
ROLES = ["owner", "manager", "responder", "viewer", "read_only", "outsider"]


@pytest.fixture(scope="module")
def served(django_db_setup, tmp_path_factory):
    """`harken serve` on a free port (no queue consumer: the MCP child is what matters),
    on the tests' database, started once for this module (it reads each test's rows as
    they are); its /mcp once the MCP child answers through it."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "tests.settings"}
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with running(serve_argv(port, "--no-worker"), env, log) as server:
        url = f"http://127.0.0.1:{port}/mcp"
        deadline = time.monotonic() + 240  # a loaded machine takes a while to import it all
        while _status(url) in (None, 503):
            assert server.process.poll() is None, server.output()
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.2)  # waiting for two real processes to listen, not for time to pass
        yield url
        server.interrupt()
    assert server.process.returncode == 0, server.output()
    assert "Traceback" not in server.output(), server.output()


def _status(url: str) -> int | None:
    """The status of an empty POST to ``url`` (the MCP child refuses it at once); 503
    while the child is not listening yet, None while serve is not."""
    request = urllib.request.Request(url, data=b"{}", method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("Accept", "application/json, text/event-stream")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code
    except OSError:
        return None


def _get(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code


async def session(url: str, secret: str, calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    """One assistant's session: the tools it is offered, then each call's result."""
    headers = {"Authorization": f"Bearer {secret}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=60) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        listed = await client.list_tools()
        results: list[Any] = [{tool.name for tool in listed.tools}]
        for name, arguments in calls:
            results.append(await client.call_tool(name, arguments))
        return results


def _calls(rows: Rows) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("search_mentions", {"query": "order"}),
        ("summarise_topic_week", {"topic": rows.topic.pk}),
        ("list_needs_reply", {}),
        ("draft_reply", {"conversation": rows.conversation.pk, "text": "It ships today!"}),
        ("draft_post", {"text": "Opal studs, new in.", "accounts": [rows.account.pk]}),
    ]


#: Who may use each tool: exactly the API operations beneath it.
ALLOWED = {
    "search_mentions": EVERYONE,
    "summarise_topic_week": EVERYONE,
    "list_needs_reply": EVERYONE,
    "draft_reply": RESPONDERS,
    "draft_post": RESPONDERS,
}


def test_serve_answers_mcp_at_its_own_address(served, tokens, rows):
    """Through `harken serve`'s /mcp: the tools, a search, a reply drafted and held, a
    viewer refused, a bad token refused, and no cookie of the site's needed."""
    owner = tokens["owner"].secret
    names, found, drafted = run(
        session(
            served,
            owner,
            [
                ("search_mentions", {"query": "order"}),
                ("draft_reply", {"conversation": rows.conversation.pk, "text": "Today!"}),
            ],
        )
    )
    assert names == TOOLS
    assert [m["text"] for m in found.structured_content["mentions"]] == ["Where is my order?"]
    assert _get(served) == 405  # nothing to stream: no thread waits on an open GET
    assert drafted.structured_content["state"] == "held"
    _, nobody = run(session(served, "hk_not-a-token", [("list_needs_reply", {})]))
    assert nobody.is_error and "No valid Harken token" in nobody.content[0].text


@pytest.mark.parametrize("who", ROLES)
def test_each_token_may_do_through_mcp_exactly_what_its_member_may(
    who, served, tokens, rows, mastodon
):
    names, *results = run(session(served, tokens[who].secret, _calls(rows)))
    assert names == TOOLS
    outcome = dict(zip([name for name, _ in _calls(rows)], results, strict=True))
    allowed = {name for name, result in outcome.items() if not result.is_error}
    if who == "outsider":
        # Its own (empty) workspace's lists; our topic, conversation and account are
        # none of its own.
        assert allowed == {"search_mentions", "list_needs_reply"}
        assert outcome["search_mentions"].structured_content["mentions"] == []
        assert outcome["list_needs_reply"].structured_content["conversations"] == []
        refused = {name: outcome[name].content[0].text for name in outcome if name not in allowed}
        assert "Not found" in refused["summarise_topic_week"]
        assert "Not found" in refused["draft_reply"]
        assert "No account of this workspace" in refused["draft_post"]
    else:
        assert allowed == {tool for tool, roles in ALLOWED.items() if who in roles}, outcome
        for name in set(outcome) - allowed:
            words = outcome[name].content[0].text
            assert ("write scope" if who == "read_only" else "Not allowed") in words, words
    # Whatever was drafted waits for a person: replies held, posts drafts; nothing sent.
    drafted = Message.objects.filter(conversation=rows.conversation)
    assert drafted.count() == (1 if who in RESPONDERS else 0)
    assert all(m.state == State.HELD and "AI assistant" in m.hold_reason for m in drafted)
    made = Post.objects.exclude(pk__in=[rows.draft.pk, rows.waiting.pk])
    assert made.count() == (1 if who in RESPONDERS else 0)
    assert set(Variant.objects.filter(post__in=made).values_list("state", flat=True)) <= {"draft"}
    assert mastodon.hits("/api/v1/statuses") == []
