"""Events from the apps' own actions reach the endpoints that chose them: written with
the change (a rollback writes none), with the same id on every try."""

from __future__ import annotations

import pytest
from django.db import transaction

from harken.api.webhooks import delivery
from harken.api.webhooks.models import Delivery
from harken.core.models import Member
from harken.inbox import actions
from harken.listening.models import Topic
from harken.listening.pipeline import ingest
from harken.publishing.links.clicks import pledge
from harken.publishing.models import Campaign
from tests.api.webhooks.conftest import make_endpoint
from tests.inbox.conftest import make_conversation
from tests.listening.helpers import item

pytestmark = pytest.mark.django_db


def member(user, workspace) -> Member:
    return Member.objects.select_related("workspace", "user").get(user=user, workspace=workspace)


def sent_types(receiver) -> list[str]:
    delivery.do_deliver_due()
    return [p["type"] for p in receiver.events.values()]


def test_assign_resolve_and_a_held_then_sent_reply(
    workspace, alice, bob, receiver, account, conversation, mastodon
):
    everything = [
        "conversation.assigned",
        "reply.held",
        "reply.sent",
        "conversation.resolved",
    ]
    make_endpoint(workspace, receiver, everything)
    make_endpoint(workspace, receiver, ["reply.sent"], enabled=False)
    owner, responder = member(alice, workspace), member(bob, workspace)
    actions.do_assign(conversation, owner, responder)
    held = actions.do_reply(conversation, responder, "We will refund your $150 today.")
    actions.do_approve(held, owner)
    actions.do_set_status(conversation, owner, "resolved")
    assert sent_types(receiver) == everything
    data = {p["type"]: p["data"] for p in receiver.events.values()}
    assert data["conversation.assigned"]["assignee"] == "bob"
    assert data["reply.held"]["hold_reason"] and data["reply.held"]["id"] == held.pk
    assert data["reply.sent"]["state"] == "sent"
    assert data["conversation.resolved"]["url"].endswith(f"/inbox/{conversation.pk}/")
    # Only the enabled endpoint got rows; every row went once.
    assert Delivery.objects.count() == 4 and receiver.rejected == []


def test_a_rolled_back_change_sends_nothing(workspace, alice, bob, receiver):
    make_endpoint(workspace, receiver, ["conversation.assigned"])
    conversation = make_conversation(workspace)
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.do_assign(conversation, member(alice, workspace), member(bob, workspace))
        raise RuntimeError("the request failed after the change")
    assert Delivery.objects.count() == 0


def test_mentions_of_the_chosen_topic_and_the_conversations_they_start(workspace, receiver):
    rings = Topic.objects.create(workspace=workspace, name="Rings", query="rings")
    Topic.objects.create(workspace=workspace, name="Watches", query="watches")
    make_endpoint(workspace, receiver, ["mention.stored"], topic_ids=[rings.pk])
    make_endpoint(workspace, receiver, ["conversation.created"])
    ingest(
        None,
        [
            item("1", "Lovely rings at Harbor Street"),
            item("2", "Their watches are fine"),
            item("3", "<script>alert(1)</script> rings", in_reply_to="1"),
        ],
        workspace=workspace,
    )
    events = list(receiver.events.values()) if sent_types(receiver) else []
    mentions = [p["data"] for p in events if p["type"] == "mention.stored"]
    assert sorted(m["text"] for m in mentions) == [
        "<script>alert(1)</script> rings",
        "Lovely rings at Harbor Street",
    ]
    assert all(m["topics"] == [rings.pk] for m in mentions)
    started = [p["data"] for p in events if p["type"] == "conversation.created"]
    assert len(started) == 2  # the thread of 1 and 3, and the one of 2
    # Stored again (a repeated batch): nothing new is stored, so nothing is sent.
    before = Delivery.objects.count()
    ingest(None, [item("1", "Lovely rings at Harbor Street")], workspace=workspace)
    assert Delivery.objects.count() == before


def test_a_campaigns_cap_is_announced_once(workspace, receiver):
    make_endpoint(workspace, receiver, ["campaign.cap_reached"])
    campaign = Campaign.objects.create(
        workspace=workspace, name="Spring", slug="spring", pledge_cents=100, cap_cents=200
    )
    assert pledge(campaign.pk, 100) and pledge(campaign.pk, 100)
    assert not pledge(campaign.pk, 100)
    assert not pledge(campaign.pk, 100)
    assert sent_types(receiver) == ["campaign.cap_reached"]
    [payload] = receiver.events.values()
    assert payload["data"]["pledged_cents"] == 200
