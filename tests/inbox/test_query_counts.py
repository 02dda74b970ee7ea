"""The list and the conversation page cost the same queries with 3 rows as with 30: no
query per row, per message, per tag or per contact."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from harken.contacts.linking import link_authors
from harken.inbox.models import Message, Tag
from harken.listening.models import Author, Mention
from tests.inbox.conftest import make_conversation

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    client.get(url)  # the session and caches settle
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def _rows(workspace, start: int, end: int) -> None:
    tag = Tag.objects.get_or_create(workspace=workspace, name="vip")[0]
    for n in range(start, end):
        talk = make_conversation(workspace, handle=f"p{n}", text=f"Question {n}", minutes_ago=n + 1)
        talk.tags.add(tag)


@pytest.mark.parametrize("view", ["needs_reply", "all", "questions"])
def test_the_list_costs_the_same_with_3_rows_or_30(alice_client, workspace, view):
    _rows(workspace, 0, 3)
    link_authors(workspace)
    url = reverse("inbox") + f"?view={view}"
    few = _queries(alice_client, url)
    _rows(workspace, 3, 30)
    link_authors(workspace)
    assert _queries(alice_client, url) == few


def _grow(workspace, talk, start: int, end: int, alice) -> None:
    """More customers' messages (each a new author with a contact), and our replies."""
    for n in range(start, end):
        author = Author.objects.create(
            workspace=workspace, network="mastodon", external_id=f"x{n}", handle=f"x{n}"
        )
        Mention.objects.create(
            workspace=workspace,
            network="mastodon",
            external_id=f"grow-{n}",
            author=author,
            text=f"and another thing https://cdn.example/{n}.png",
            posted=timezone.now() - timedelta(minutes=30 - n),
            intents=["complaint"],
            sentiment="negative",
            conversation=talk,
        )
        Message.objects.create(
            workspace=workspace, conversation=talk, text=f"note {n}", is_note=True, author=alice
        )
    link_authors(workspace)


def test_the_conversation_page_costs_the_same_with_3_messages_or_30(alice_client, alice, workspace):
    talk = make_conversation(workspace)
    make_conversation(workspace, network="mastodon", handle="maya", minutes_ago=900)
    _grow(workspace, talk, 0, 2, alice)
    url = reverse("inbox_conversation", args=[talk.pk])
    few = _queries(alice_client, url)
    _grow(workspace, talk, 2, 29, alice)
    assert _queries(alice_client, url) == few
