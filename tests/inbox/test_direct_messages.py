"""Direct messages in the inbox: read by the Mastodon connector from recorded real traffic
(Mastodon.py's ``test_conversations`` cassette), stored by the ingest pipeline, shown as
private conversations with a badge and a view of their own, and kept out of the public
stream."""

from __future__ import annotations

import pytest
from django.urls import reverse

from harken.inbox.models import Conversation
from harken.listening.models import Mention, Source
from harken.listening.pipeline import ingest
from tests.listening.helpers import item
from tests.networks.mastodon.test_direct_messages import EMPTY_NOTIFICATIONS, conversations
from tests.networks.recorded import replay
from tests.networks.test_mastodon import cassette, connector

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback")]

PUBLIC = "A public question about Harbor Street rings"


@pytest.fixture
def stored(workspace):
    """The recorded direct conversations and one public mention, through the pipeline."""
    with replay(cassette(None, [EMPTY_NOTIFICATIONS], conversations())):
        page = connector().fetch(None)
    source = Source.objects.create(
        workspace=workspace, name="Mentions", kind=Source.Kind.SEARCH, network="mastodon"
    )
    ingest(source, [*page.items, item("public-1", PUBLIC)], cursor=page.cursor)
    return page.items


def test_each_direct_message_thread_is_one_private_conversation(workspace, stored):
    messages = Mention.objects.filter(workspace=workspace, kind="message")
    assert messages.count() == 2
    # The two recorded conversations are two threads, neither shared with the public one.
    threads = {m.conversation_id for m in messages}
    public = Mention.objects.get(workspace=workspace, kind="post").conversation_id
    assert len(threads) == 2 and public not in threads
    assert Conversation.objects.filter(workspace=workspace).count() == 3


def test_the_inbox_marks_direct_messages_and_lists_them_in_their_own_view(alice_client, stored):
    everything = alice_client.get(reverse("inbox"), {"view": "all"}).content.decode()
    assert everything.count("data-direct>Direct message<") == 2
    assert PUBLIC in everything
    page = alice_client.get(reverse("inbox"), {"view": "direct"})
    html = page.content.decode()
    assert page.context["current_label"] == "Direct messages"
    assert "ilu bby ;3" in html and "pssssst!" in html
    assert PUBLIC not in html
    counts = {view["key"]: view["count"] for view in page.context["views"]}
    assert counts["direct"] == 2


def test_the_public_stream_never_shows_a_direct_message(alice_client, stored):
    html = alice_client.get(reverse("listening")).content.decode()
    assert PUBLIC in html
    assert "ilu bby" not in html and "pssssst" not in html
