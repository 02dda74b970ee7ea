"""Reply held / sent / failed: each delivery row is written in the transaction of the
reply's state change (a crash in that transaction leaves neither), and each event reaches
the receiver exactly once, even when the worker sending webhooks dies after its POST."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from harken.api.webhooks import delivery
from harken.api.webhooks.models import Delivery
from harken.core.models import Member
from harken.inbox import actions, signals
from harken.inbox.models import Message
from harken.inbox.states import State
from tests.api.webhooks.conftest import make_endpoint
from tests.lib.localserver import Reply

pytestmark = pytest.mark.django_db

REPLY_EVENTS = ["reply.held", "reply.sent", "reply.failed"]
JSON = {"Content-Type": "application/json"}


def member(user, workspace) -> Member:
    return Member.objects.select_related("workspace", "user").get(user=user, workspace=workspace)


class Crash(Exception):
    """The process dies right after the event's row was written, before the commit."""


@pytest.fixture
def crash_after_the_event():
    """A receiver of ``reply_changed`` connected after the webhooks' own: it raises once
    that one has written the delivery row, as a crash there would end the transaction."""

    def crash(**extra: object) -> None:
        raise Crash

    signals.reply_changed.connect(crash, dispatch_uid="test.crash")
    yield
    signals.reply_changed.disconnect(dispatch_uid="test.crash")


@pytest.mark.parametrize("outcome", ["held", "failed", "sent"])
def test_a_crash_in_the_change_leaves_neither_the_change_nor_its_event(
    outcome, workspace, alice, bob, receiver, account, conversation, mastodon, crash_after_the_event
):
    make_endpoint(workspace, receiver, REPLY_EVENTS)
    if outcome == "failed":
        mastodon.route("/api/v1/statuses", Reply(422, json.dumps({"error": "Too long"}), JSON))
    text = "We will refund your $150 today." if outcome == "held" else "It ships today."
    with pytest.raises(Crash):
        actions.do_reply(conversation, member(bob if outcome == "held" else alice, workspace), text)
    assert Delivery.objects.count() == 0
    if outcome == "held":
        assert not Message.objects.filter(conversation=conversation).exists()
    else:  # the send was claimed before; the outcome's move rolled back with its event
        assert Message.objects.get(conversation=conversation).state == State.SENDING
    assert delivery.do_deliver_due() == [] and receiver.seen == []


def test_held_sent_and_failed_reach_the_receiver_once_across_a_worker_crash(
    workspace, alice, bob, receiver, account, conversation, mastodon
):
    make_endpoint(workspace, receiver, REPLY_EVENTS)
    owner, responder = member(alice, workspace), member(bob, workspace)
    held = actions.do_reply(conversation, responder, "We will refund your $150 today.")
    sent = actions.do_approve(held, owner)
    mastodon.route("/api/v1/statuses", Reply(422, json.dumps({"error": "Too long"}), JSON))
    failed = actions.do_reply(conversation, owner, "And a gift card.")
    assert (sent.state, failed.state) == (State.SENT, State.FAILED)
    rows = list(Delivery.objects.order_by("pk"))
    assert [r.event_type for r in rows] == REPLY_EVENTS
    # A webhook worker claims each row, POSTs it and dies before recording the result.
    now = timezone.now()
    for row in rows:
        assert delivery.claim(row.pk, row.next_attempt, now)
        assert delivery.post(Delivery.objects.get(pk=row.pk), now)[0] == 200
    assert delivery.do_deliver_due(now) == []  # claimed: not due while the lease runs
    # The lease runs out; the sweep sends each again under the same webhook-id.
    later = now + delivery.LEASE + timedelta(seconds=1)
    again = delivery.do_deliver_due(later)
    assert sorted(r.pk for r in again) == [r.pk for r in rows]
    assert all(r.status == Delivery.Status.SENT for r in again)
    # The receiver saw each id twice and, deduping on webhook-id, acted on each once.
    assert sorted(receiver.ids()) == sorted([r.event_id for r in rows] * 2)
    acted = [receiver.events[r.event_id] for r in rows]
    assert [p["type"] for p in acted] == REPLY_EVENTS
    assert [p["data"]["id"] for p in acted] == [held.pk, held.pk, failed.pk]
    assert delivery.do_deliver_due(later + timedelta(hours=1)) == []
    assert receiver.rejected == []
