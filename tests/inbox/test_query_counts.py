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
from harken.inbox.models import Conversation, Message, Tag
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


# --- the bench's pages, pinned -----------------------------------------------------------
# What ``bench/inbox.py`` times, with each page's queries pinned (``assertNumQueries``): a
# query more on one of them is a choice made here, never a side effect. The list's counts
# are one query whatever the views and saved views; the saved view is one with three
# filters, as the bench's.

#: The list page: session, user, member; service level, tags, members, saved views; the
#: counts; the rows, their tags; the networks, topics and accounts the filters offer; the
#: workspace switcher's memberships.
LIST_QUERIES = 14
#: The conversation page of a conversation with an answer due (its service level read).
CONVERSATION_QUERIES = 16
#: The contact page (the same three first, the switcher's memberships last).
CONTACT_QUERIES = 11


def _saved_three_filters(workspace, alice):
    from harken.inbox.models import SavedView

    return SavedView.objects.create(
        workspace=workspace,
        owner=alice,
        name="Negative complaints on Mastodon",
        filters={
            "view": "needs_reply",
            "network": "mastodon",
            "intent": "complaint",
            "sentiment": "negative",
        },
    )


def test_the_needs_reply_list_is_pinned(alice_client, workspace, django_assert_num_queries):
    _rows(workspace, 0, 5)
    link_authors(workspace)
    url = reverse("inbox") + "?view=needs_reply"
    alice_client.get(url)
    with django_assert_num_queries(LIST_QUERIES):
        assert alice_client.get(url).status_code == 200


def test_a_saved_view_with_three_filters_is_pinned(
    alice_client, alice, workspace, django_assert_num_queries
):
    from harken.inbox.saved_views import url_of

    _rows(workspace, 0, 5)
    Conversation.objects.filter(workspace=workspace).update(
        intent="complaint", sentiment="negative"
    )
    url = url_of(_saved_three_filters(workspace, alice))
    alice_client.get(url)
    # Its own count is in the counts' one query: a saved view costs no query of its own.
    with django_assert_num_queries(LIST_QUERIES):
        assert alice_client.get(url).status_code == 200


def test_the_conversation_page_is_pinned(alice_client, alice, workspace, django_assert_num_queries):
    talk = make_conversation(workspace)
    _grow(workspace, talk, 0, 3, alice)
    Conversation.objects.filter(pk=talk.pk).update(due_at=timezone.now() + timedelta(hours=1))
    url = reverse("inbox_conversation", args=[talk.pk])
    alice_client.get(url)
    with django_assert_num_queries(CONVERSATION_QUERIES):
        assert alice_client.get(url).status_code == 200


def test_the_contact_page_is_pinned(alice_client, workspace, django_assert_num_queries):
    from harken.contacts.models import Identity

    make_conversation(workspace)
    make_conversation(workspace, minutes_ago=90)
    link_authors(workspace)
    contact = Identity.objects.get(workspace=workspace, handle="maya").contact
    url = reverse("contact_detail", args=[contact.pk])
    alice_client.get(url)
    with django_assert_num_queries(CONTACT_QUERIES):
        assert alice_client.get(url).status_code == 200
