"""The collision warning: who else views or types in a conversation, gone after a while,
and a reply sent after a teammate's shows theirs first instead of going out blind."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from harken.core.models import Member
from harken.inbox import presence
from harken.inbox.models import Message, Presence
from tests.conftest import client_for
from tests.inbox.conftest import make_conversation

pytestmark = pytest.mark.django_db


def test_each_member_sees_the_others_viewing_and_typing(alice, bob, victor, workspace):
    talk = make_conversation(workspace)
    url = reverse("inbox_presence", args=[talk.pk])
    assert client_for(alice).post(url, {"typing": "0"}).content.decode().strip() == ""
    client_for(bob).post(url, {"typing": "1"})
    # A viewer cannot reply, so its "typing" is only viewing.
    line = client_for(victor).post(url, {"typing": "1"}).content.decode()
    assert "bob is typing · alice is viewing" in line
    page = client_for(alice).get(reverse("inbox_conversation", args=[talk.pk])).content.decode()
    assert "bob is typing · victor is viewing" in page


def test_a_member_not_heard_from_is_gone(alice, bob, workspace):
    talk = make_conversation(workspace)
    alice_member = Member.objects.get(user=alice)
    bob_member = Member.objects.get(user=bob)
    then = timezone.now() - presence.FRESH - timedelta(seconds=1)
    presence.beat(talk, bob_member, typing=True, now=then)
    assert presence.others(talk, alice_member) == []
    elsewhere = make_conversation(workspace, handle="tom")
    presence.beat(elsewhere, bob_member, typing=False, now=then)
    presence.beat(talk, alice_member, typing=False)
    # Stale rows go, in this conversation and in any other.
    assert list(Presence.objects.values_list("user__username", flat=True)) == ["alice"]


def test_leaving_the_page_removes_the_member(alice, bob, workspace):
    talk = make_conversation(workspace)
    url = reverse("inbox_presence", args=[talk.pk])
    client_for(bob).post(url, {"typing": "0"})
    assert client_for(bob).post(url, {"leave": "1"}).status_code == 204
    assert not Presence.objects.exists()


def test_another_workspace_cannot_beat_here(charlie_client, workspace):
    talk = make_conversation(workspace)
    assert charlie_client.post(reverse("inbox_presence", args=[talk.pk])).status_code == 404
    assert not Presence.objects.exists()


def test_a_reply_after_a_teammates_shows_theirs_first(alice_client, bob, workspace):
    talk = make_conversation(workspace)
    page = alice_client.get(reverse("inbox_conversation", args=[talk.pk]))
    seen = page.context["seen_reply"]
    # Bob answered (held for approval here: no account) while Alice was typing.
    Message.objects.create(
        workspace=workspace, conversation=talk, text="On its way!", state="held", author=bob
    )
    response = alice_client.post(
        reverse("inbox_reply", args=[talk.pk]),
        {"text": "Let me check", "token": "t1", "seen": str(seen)},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert "bob replied while you were writing" in body and "On its way!" in body
    assert ">Let me check</textarea>" in body  # the draft is kept
    assert not Message.objects.filter(text="Let me check").exists()
