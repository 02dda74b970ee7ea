"""The bell in the app shell: the inbox's events (assigned, @mention in a note) arrive as
unread notifications, each event once; opening one marks it read and goes to the
conversation; another member's notification is a 404; switched-off kinds stay out."""

from __future__ import annotations

import pytest

from harken.core.models import Member, Notification, NotificationSettings
from harken.core.notify import ASSIGNED, MENTIONED
from harken.inbox import actions, notices
from tests.inbox.conftest import make_conversation

pytestmark = pytest.mark.django_db


def member(user, workspace) -> Member:
    return Member.objects.select_related("workspace", "user").get(user=user, workspace=workspace)


def count(client) -> str:
    return client.get("/notifications/bell/").content.decode()


def test_assignments_and_mentions_ring_the_bell_once_each(workspace, alice, bob, bob_client):
    conversation = make_conversation(workspace, handle="<b>maya</b>")
    assert count(bob_client).strip() == ""  # nothing unread: no badge
    actions.do_assign(conversation, member(alice, workspace), member(bob, workspace))
    note = actions.do_note(conversation, member(alice, workspace), "@bob can you call her?")
    assert notices.mentioned(note) == 0  # the same event again tells nothing new
    assert 'id="bell-count">2<' in count(bob_client)
    page = bob_client.get("/notifications/").content.decode()
    assert page.count('class="notification unread"') == 2
    assert "<b>maya</b>" not in page and "&lt;b&gt;maya&lt;/b&gt;" in page  # escaped
    assert "Mark all 2 read" in page


def test_opening_one_marks_it_read_and_goes_to_the_conversation(workspace, alice, bob, bob_client):
    conversation = make_conversation(workspace)
    actions.do_assign(conversation, member(alice, workspace), member(bob, workspace))
    note = Notification.objects.get(kind=ASSIGNED)
    answer = bob_client.post(f"/notifications/{note.pk}/open/", {"go": "1"})
    assert answer.status_code == 302 and answer["Location"] == f"/inbox/{conversation.pk}/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert count(bob_client).strip() == ""
    assert bob_client.get(f"/notifications/{note.pk}/open/").status_code == 405  # POST only


def test_mark_all_read_and_nobody_else_s_notifications(
    workspace, alice, bob, alice_client, bob_client
):
    conversation = make_conversation(workspace)
    actions.do_assign(conversation, member(alice, workspace), member(bob, workspace))
    actions.do_note(conversation, member(alice, workspace), "@bob look")
    theirs = Notification.objects.filter(member__user=bob).first()
    assert alice_client.post(f"/notifications/{theirs.pk}/open/").status_code == 404
    assert "bell-count" not in count(alice_client)
    bob_client.post("/notifications/read/")
    assert not Notification.objects.filter(member__user=bob, read_at__isnull=True).exists()
    assert count(bob_client).strip() == ""


def test_a_kind_switched_off_stays_out_of_the_bell(workspace, alice, bob, bob_client):
    NotificationSettings.objects.create(member=member(bob, workspace), off=[MENTIONED])
    conversation = make_conversation(workspace)
    actions.do_note(conversation, member(alice, workspace), "@bob look")
    assert Notification.objects.filter(kind=MENTIONED).exists()  # recorded, not shown
    assert count(bob_client).strip() == ""
    assert "look" not in bob_client.get("/notifications/").content.decode()


def test_every_page_carries_the_bell_and_polls_its_count(workspace, bob, bob_client):
    page = bob_client.get("/inbox/").content.decode()
    assert 'id="bell"' in page and 'hx-get="/notifications/bell/"' in page
    assert 'hx-trigger="load, every 30s"' in page


def test_a_signed_out_page_stops_polling_instead_of_drawing_the_login_form(client, workspace):
    answer = client.get("/notifications/bell/")
    assert answer.status_code == 286 and answer.content == b""  # htmx: stop polling
    assert client.get("/notifications/").status_code == 302  # the list needs a sign-in
