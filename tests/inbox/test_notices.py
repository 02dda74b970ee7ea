"""What the inbox tells members: assigned by hand, a held reply (to the approvers, again
after a revision), @mentions in notes; each event once, and nothing to its own author."""

from __future__ import annotations

import pytest
from django.core import mail

from harken.core.models import Member, Notification
from harken.core.notify import ASSIGNED, HELD_REPLY, MENTIONED
from harken.inbox import actions

pytestmark = pytest.mark.django_db


def member(user, workspace) -> Member:
    return Member.objects.select_related("workspace", "user").get(user=user, workspace=workspace)


def told(kind: str) -> list[str]:
    rows = Notification.objects.filter(kind=kind).order_by("pk")
    return list(rows.values_list("member__user__username", flat=True))


def test_assigning_by_hand_tells_the_assignee_but_not_oneself(
    workspace, alice, bob, conversation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_assign(conversation, member(alice, workspace), member(bob, workspace))
        actions.do_assign(conversation, member(bob, workspace), member(bob, workspace))  # same
        actions.do_assign(conversation, member(alice, workspace), member(alice, workspace))
    assert told(ASSIGNED) == ["bob"]
    [sent] = mail.outbox
    assert sent.to == ["bob@example.com"]
    assert sent.subject.startswith("[Harken] Assigned to you by alice: @maya")
    assert f"/inbox/{conversation.pk}/" in sent.body
    # Assigned away and back: a new event, told again.
    actions.do_assign(conversation, member(alice, workspace), None)
    actions.do_assign(conversation, member(alice, workspace), member(bob, workspace))
    assert told(ASSIGNED) == ["bob", "bob"]


def test_a_held_reply_tells_the_approvers_and_again_after_a_revision(
    workspace, alice, bob, account, conversation, mastodon
):
    bob_member = member(bob, workspace)
    held = actions.do_reply(conversation, bob_member, "We will refund your $150 today.")
    assert told(HELD_REPLY) == ["alice"]
    note = Notification.objects.get(kind=HELD_REPLY)
    assert note.subject == "bob's reply to @maya needs approval"
    assert "$150" in note.body
    back = actions.do_send_back(held, member(alice, workspace), "Too much.")
    actions.do_revise(back, bob_member, "We will refund your $120 today.")
    assert told(HELD_REPLY) == ["alice", "alice"]


def test_a_note_mentioning_a_teammate_tells_them_once(workspace, alice, bob, victor, conversation):
    note = actions.do_note(
        conversation,
        member(alice, workspace),
        "@Bob can you call her? cc @victor @alice, not bob@example.com nor @nobody",
    )
    assert sorted(told(MENTIONED)) == ["bob", "victor"]
    saved = Notification.objects.filter(kind=MENTIONED).first()
    assert saved.subject == "alice mentioned you in a note on @maya"
    from harken.inbox import notices

    assert notices.mentioned(note) == 0  # the same note again: nothing new


def test_a_mention_of_another_workspaces_member_tells_nobody(
    workspace, alice, charlie, conversation
):
    actions.do_note(conversation, member(alice, workspace), "@charlie look at this")
    assert told(MENTIONED) == []


def test_the_first_answer_and_the_resolution_record_who(
    workspace, alice, bob, account, conversation, mastodon
):
    actions.do_reply(conversation, member(bob, workspace), "It ships today.")
    conversation.refresh_from_db()
    assert conversation.first_responder == bob and conversation.first_response_at is not None
    actions.do_set_status(conversation, member(alice, workspace), "resolved")
    conversation.refresh_from_db()
    assert conversation.resolved_by == alice
