"""`harken demo`'s listening part: sample topics, sources and mentions, through the pipeline."""

from __future__ import annotations

import pytest

from harken.inbox.models import Conversation
from harken.listening import demo
from harken.listening.models import Mention, Source, Topic

pytestmark = pytest.mark.django_db


def test_it_fills_a_workspace_with_threaded_sample_mentions(workspace):
    stored = demo.fill(workspace)
    assert stored == Mention.objects.filter(workspace=workspace).count() > 40
    assert Topic.objects.filter(workspace=workspace).count() == 3
    assert not Source.objects.filter(workspace=workspace, enabled=True).exists()
    assert Mention.objects.filter(is_own=True, conversation__first_response_at__isnull=False)
    assert Conversation.objects.filter(workspace=workspace).count() < stored
    assert all(
        url.startswith("https://") and ".example/" in url
        for url in Mention.objects.values_list("url", flat=True)
    )


def test_running_it_twice_changes_nothing(workspace):
    demo.fill(workspace)
    assert demo.fill(workspace) == 0


def test_reshares_are_grouped(workspace):
    demo.fill(workspace)
    assert Mention.objects.filter(duplicate_of__isnull=False).exists()


def test_the_sample_has_direct_messages_in_the_inbox_for_a_newcomer(workspace, alice_client):
    from django.urls import reverse

    demo.fill(workspace)
    messages = Mention.objects.filter(workspace=workspace, kind="message")
    threads = {m.conversation_id for m in messages}
    assert messages.count() == len(demo.DIRECT) and len(threads) == 2  # two DMs, one thread
    assert {m.network for m in messages} == {network for network, *_ in demo.DIRECT}
    assert not Mention.objects.filter(kind="message", conversation_id__in=threads, is_own=True)
    page = alice_client.get(reverse("inbox"), {"view": "direct"})
    counts = {view["key"]: view["count"] for view in page.context["views"]}
    html = page.content.decode()
    assert counts["direct"] == 2 and "engraved watch" in html and "@ava.loves.silver" in html
    stream = alice_client.get(reverse("listening")).content.decode()
    assert "engraved watch" not in stream  # private: never in the public stream
