"""The assistant's tools as functions of a token: the week of a topic in figures, a post
drafted and never scheduled, and a viewer's token refused as the API refuses it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from harken.api.caller import Caller
from harken.api.mcp import tools
from harken.api.models import ALL_SCOPES
from harken.api.tokens import do_create_token
from harken.core.models import Member
from harken.publishing.models import Post
from tests.inbox.conftest import make_conversation

pytestmark = pytest.mark.django_db


def caller(user, workspace) -> Caller:
    member = Member.objects.get(user=user, workspace=workspace)
    return Caller(do_create_token(member, "assistant", list(ALL_SCOPES)).token)


def test_a_topics_week_in_figures(workspace, alice, rows):
    make_conversation(workspace, handle="omar", text="Love the ring", sentiment="positive")
    rows.topic.mentions.add(*workspace_mentions(workspace, "Love the ring"))
    week = tools.summarise_topic_week(caller(alice, workspace), rows.topic.pk)
    assert week["topic"] == "Rings" and week["mentions"] == 2
    assert week["sentiment"] == {"neutral": 1, "positive": 1}
    assert week["intents"] == {"question": 2}
    assert sorted(week["top_authors"]) == ["maya", "omar"]
    assert sum(week["per_day"].values()) == 2


def workspace_mentions(workspace, text):
    from harken.listening.models import Mention

    return list(Mention.objects.filter(workspace=workspace, text=text))


def test_a_drafted_post_stays_a_draft(workspace, alice, rows):
    made = tools.draft_post(caller(alice, workspace), "Opal week, from Monday.", [rows.account.pk])
    post = Post.objects.get(pk=made["id"])
    assert [v.state for v in post.variants.all()] == ["draft"]
    assert [v["state"] for v in made["variants"]] == ["draft"]


def test_a_viewer_cannot_draft_a_post(workspace, victor, rows):
    with pytest.raises(PermissionDenied):
        tools.draft_post(caller(victor, workspace), "Hello", [rows.account.pk])
    assert Post.objects.filter(variants__text="Hello").count() == 0


# Committed rows: a tool call closes the database connection as a request would.
@pytest.mark.django_db(transaction=True)
def test_an_assistants_calls_count_against_the_tokens_rate(workspace, alice, rows, settings):
    from mcp.server.mcpserver.exceptions import ToolError

    from harken.api.mcp.server import CALLER, _run

    settings.HARKEN_API_RATE_PER_MINUTE = 2
    CALLER.set(caller(alice, workspace))
    try:
        for _ in range(2):
            assert "conversations" in _run(None, tools.list_needs_reply)
        with pytest.raises(ToolError, match="Too many requests"):
            _run(None, tools.list_needs_reply)
    finally:
        CALLER.set(None)
