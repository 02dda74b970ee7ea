"""`harken mcp --http`: streamable HTTP at /mcp in a real subprocess, each request acting
as the Bearer token it sends, driven by the MCP SDK's client."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from harken.inbox.models import Message
from tests.api.mcp.running import run
from tests.api.mcp.test_stdio import TOOLS, database_url, secret_for

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mcp_http():
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "tests.settings"}
    process = subprocess.Popen(
        [sys.executable, "-m", "harken", "mcp", "--http", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(process.stderr.read().decode() if process.stderr else "exited")
            time.sleep(0.1)  # waiting for a real server to listen, not for time to pass
    yield f"http://127.0.0.1:{port}/mcp"
    process.terminate()
    process.wait(10)


async def call(url: str, secret: str, name: str, arguments: dict) -> tuple[set[str], Any]:
    headers = {"Authorization": f"Bearer {secret}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=30) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        listed = await client.list_tools()
        return {t.name for t in listed.tools}, await client.call_tool(name, arguments)


def test_each_request_acts_as_its_bearer_token(
    mcp_http, workspace, alice, victor, account, conversation
):
    owner, viewer = secret_for(alice, workspace), secret_for(victor, workspace)
    draft = {"conversation": conversation.pk, "text": "It ships today!"}
    names, refused = run(call(mcp_http, viewer, "draft_reply", draft))
    assert names == TOOLS
    assert refused.is_error and "Not allowed" in refused.content[0].text
    _, drafted = run(call(mcp_http, owner, "draft_reply", draft))
    assert not drafted.is_error and drafted.structured_content["state"] == "held"
    _, nobody = run(call(mcp_http, "hk_not-a-token", "list_needs_reply", {}))
    assert nobody.is_error and "No valid Harken token" in nobody.content[0].text
    assert Message.objects.get(conversation=conversation).state == "held"
