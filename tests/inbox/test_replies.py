"""Replies: sent once through the account's connector, held when they promise more than
the author's role may, failures kept in the network's words and retried, notes never sent."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from harken.core.models import AuditEntry, Member, Role
from harken.inbox import actions
from harken.inbox.models import Conversation, Message
from harken.inbox.states import TRANSITIONS, IllegalTransition, State, transition
from tests.inbox.conftest import PARENT, REPLY_ID
from tests.lib.localserver import Reply

pytestmark = pytest.mark.django_db


def member(user, workspace) -> Member:
    return Member.objects.select_related("workspace", "user").get(user=user, workspace=workspace)


def test_a_reply_is_posted_on_mastodon_and_recorded_as_our_message(
    workspace, bob, account, conversation, mastodon
):
    message = actions.do_reply(conversation, member(bob, workspace), "Sorry! It ships today.")
    assert message.state == State.SENT
    host = mastodon.base.removeprefix("http://")
    assert message.external_id == f"{host}/{REPLY_ID}"
    assert message.url.startswith("http://localhost:3000/@")
    posted = mastodon.hits("/api/v1/statuses")
    assert len(posted) == 1
    assert f"in_reply_to_id={PARENT}".encode() in posted[0].body
    assert posted[0].headers["idempotency-key"] == message.idempotency_key
    conversation.refresh_from_db()
    assert conversation.first_response_at is not None
    assert conversation.status == Conversation.Status.WAITING
    assert AuditEntry.objects.filter(action="reply.sent", workspace=workspace).exists()


def test_a_sent_reply_is_never_claimed_again(workspace, bob, account, conversation, mastodon):
    message = actions.do_reply(conversation, member(bob, workspace), "Once only.")
    for source in (State.SENT, State.FAILED, State.DRAFT):
        with pytest.raises((ValidationError, IllegalTransition)):
            actions.send(message, source)
    # Even forced back to failed, a message with a network id cannot enter sending.
    Message.objects.filter(pk=message.pk).update(state=State.FAILED)
    assert not transition(Message.objects, message.pk, State.FAILED, State.SENDING)
    assert len(mastodon.hits("/api/v1/statuses")) == 1


def test_a_refusal_keeps_the_networks_words_and_a_retry_sends_it(
    workspace, bob, account, conversation, mastodon
):
    said = '{"error":"Validation failed: Text character limit of 500 exceeded"}'
    good = mastodon.routes["/api/v1/statuses"][0]
    mastodon.route("/api/v1/statuses", Reply(422, said, {"Content-Type": "application/json"}), good)
    message = actions.do_reply(conversation, member(bob, workspace), "First try.")
    assert message.state == State.FAILED
    assert "Text character limit of 500 exceeded" in message.error
    assert "HTTP 422" in message.error
    retried = actions.do_retry(message, member(bob, workspace))
    assert retried.state == State.SENT and retried.error == ""
    keys = {seen.headers["idempotency-key"] for seen in mastodon.hits("/api/v1/statuses")}
    assert keys == {message.idempotency_key}  # the retry carries the same key
    assert retried.attempts == 2


def test_a_responders_refund_above_the_limit_is_held_then_approved_and_sent(
    workspace, alice, bob, account, conversation, mastodon
):
    bob_member = member(bob, workspace)
    held = actions.do_reply(conversation, bob_member, "We will refund your $150 today.")
    assert held.state == State.HELD
    assert "Promises $150, above the responder limit of 50." in held.hold_reason
    assert "“refund”" in held.hold_reason
    assert mastodon.hits("/api/v1/statuses") == []  # nothing held is sent
    with pytest.raises(PermissionDenied):
        actions.do_approve(held, bob_member)
    sent = actions.do_approve(
        held, member(alice, workspace), "We will refund your $150 today. — Alice"
    )
    assert sent.state == State.SENT and sent.approved_by == alice
    assert sent.text.endswith("— Alice")
    assert len(mastodon.hits("/api/v1/statuses")) == 1
    actions_logged = list(
        AuditEntry.objects.filter(workspace=workspace).values_list("action", flat=True)
    )
    assert {"reply.held", "reply.approve", "reply.sent"} <= set(actions_logged)


def test_a_held_reply_sent_back_is_revised_and_sent_without_the_promise(
    workspace, alice, bob, account, conversation, mastodon
):
    bob_member = member(bob, workspace)
    held = actions.do_reply(conversation, bob_member, "Here is a free ring.")
    back = actions.do_send_back(held, member(alice, workspace), "No free rings, offer a cleaning.")
    assert back.state == State.DRAFT and back.review_comment.startswith("No free")
    assert mastodon.hits("/api/v1/statuses") == []
    sent = actions.do_revise(back, bob_member, "We can clean it for you this week.")
    assert sent.state == State.SENT


def test_a_manager_may_say_refund_within_their_own_limit(
    workspace, alice, account, conversation, mastodon
):
    Member.objects.filter(user=alice).update(role=Role.MANAGER)
    sent = actions.do_reply(
        conversation, member(alice, workspace), "Your $40 refund is on its way."
    )
    assert sent.state == State.SENT


def test_a_note_is_never_sent(workspace, bob, account, conversation, mastodon):
    note = actions.do_note(conversation, member(bob, workspace), "Called her, all fine.")
    assert note.state == State.NOTE and not TRANSITIONS[State.NOTE]
    Message.objects.filter(pk=note.pk).update(state=State.FAILED)  # even if forced
    assert not transition(Message.objects, note.pk, State.FAILED, State.SENDING)
    assert mastodon.hits("/api/v1/statuses") == []


def test_a_reply_the_network_would_refuse_is_refused_before_it_is_stored(
    workspace, bob, account, conversation, mastodon
):
    with pytest.raises(ValidationError, match="501 characters, the limit is 500"):
        actions.do_reply(conversation, member(bob, workspace), "a" * 501)
    assert not Message.objects.exists()


def test_a_viewer_cannot_reply(workspace, victor, account, conversation):
    with pytest.raises(PermissionDenied):
        actions.do_reply(conversation, member(victor, workspace), "hello")


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_post_the_reply_once(workspace, bob, account, conversation, mastodon):
    good = mastodon.routes["/api/v1/statuses"][0]
    mastodon.route("/api/v1/statuses", Reply(good.status, good.body, good.headers, delay=0.5))
    bob_member = member(bob, workspace)
    held = actions.do_reply(conversation, bob_member, "Refund coming.")  # held: not sent yet
    Message.objects.filter(pk=held.pk).update(state=State.FAILED)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def sender() -> None:
        try:
            start.wait()
            outcomes.append(actions.send(Message.objects.get(pk=held.pk), State.FAILED).state)
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["refused", State.SENT]
    assert len(mastodon.hits("/api/v1/statuses")) == 1


def test_an_interrupted_send_is_reconciled_under_the_same_key_on_mastodon(
    workspace, bob, account, conversation, mastodon
):
    message = Message.objects.create(
        workspace=workspace,
        conversation=conversation,
        text="Lost answer",
        state=State.SENDING,
        in_reply_to=conversation.root_external_id,
        account=account,
        author=bob,
        claimed_at=timezone.now() - timedelta(minutes=15),
    )
    outcome = actions.do_reconcile_interrupted()
    assert outcome == {"resent": 1, "found": 0, "unknown": 0}
    message.refresh_from_db()
    assert message.state == State.SENT
    assert (
        mastodon.hits("/api/v1/statuses")[0].headers["idempotency-key"] == message.idempotency_key
    )


def test_an_interrupted_send_without_idempotency_is_marked_unknown_not_resent(
    workspace, bob, account, conversation, mastodon
):
    message = Message.objects.create(
        workspace=workspace,
        conversation=conversation,
        text="Lost answer",
        state=State.SENDING,
        in_reply_to=conversation.root_external_id,
        account=account,
        author=bob,
        claimed_at=timezone.now() - timedelta(hours=3),  # past the key's lifetime
    )
    assert actions.do_reconcile_interrupted() == {"resent": 0, "found": 0, "unknown": 1}
    message.refresh_from_db()
    assert message.state == State.UNKNOWN and "Check on the network" in message.error
    assert mastodon.hits("/api/v1/statuses") == []
    with pytest.raises(PermissionDenied):  # a responder cannot resend on a guess
        actions.do_retry(message, member(bob, workspace))


@pytest.mark.parametrize(
    ("text", "held"),
    [
        ("Your $40 credit is on its way.", False),
        ("Your $75.50 credit is on its way.", True),
        ("We can give you 1,200 dollars back.", True),
        ("It costs 60 € to resize.", True),
        ("Order 150 ships today.", False),  # a number, not money
        ("That's a freebie.", False),  # "free" the word, not a part of one
        ("Shipping is FREE this week.", True),
    ],
)
def test_what_a_responder_may_promise(workspace, bob, text, held):
    from harken.inbox.authority import hold_reason

    assert bool(hold_reason(member(bob, workspace), text)) is held


def test_a_network_id_an_earlier_reply_holds_is_recorded_as_sent_saying_so(
    workspace, bob, account, conversation, mastodon
):
    # The local Mastodon answers every reply with the same status, as a network answers a
    # repeat with the post it already has.
    first = actions.do_reply(conversation, member(bob, workspace), "Sorry! It ships today.")
    second = actions.do_reply(conversation, member(bob, workspace), "It ships today, promise.")
    assert first.state == second.state == State.SENT
    assert second.external_id == "" and first.external_id in second.error
    assert "earlier reply" in second.error
    assert Message.objects.filter(external_id=first.external_id).count() == 1
    assert AuditEntry.objects.filter(action="reply.sent", workspace=workspace).count() == 2
