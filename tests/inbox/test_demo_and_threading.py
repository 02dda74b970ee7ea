"""The sample inbox of `harken demo`, and what threading does to a conversation's state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from harken.core.demo import do_fill_demo, people_changes
from harken.inbox.models import Conversation, Message
from harken.inbox.states import State
from harken.listening.models import Mention
from harken.listening.threads import refresh
from tests.conftest import client_for
from tests.inbox.conftest import make_conversation

pytestmark = pytest.mark.django_db


def test_the_demo_fills_a_living_inbox_that_still_counts_as_untouched(alice):
    sample = do_fill_demo([alice])
    states = set(Message.objects.filter(workspace=sample).values_list("state", flat=True))
    assert {State.HELD, State.SENT, State.FAILED, State.NOTE} <= states
    statuses = set(Conversation.objects.filter(workspace=sample).values_list("status", flat=True))
    assert {"resolved", "waiting"} <= statuses
    assert Conversation.objects.filter(workspace=sample, snoozed_until__isnull=False).exists()
    assert people_changes(sample) == []  # the sample responder is part of the fill
    client = client_for(alice)
    client.post(reverse("workspace_switch"), {"workspace": sample.pk})
    held = Message.objects.get(workspace=sample, state=State.HELD)
    assert "above the responder limit of 75" in held.hold_reason
    page = client.get(reverse("inbox_conversation", args=[held.conversation_id])).content
    assert b"Held for approval." in page and b"Approve and send" in page
    listing = client.get(reverse("inbox") + "?view=held").context["rows"]
    assert [row.pk for row in listing] == [held.conversation_id]
    # Canned replies to find with "/", filled in for the conversation.
    found = client.get(reverse("inbox_canned_search", args=[held.conversation_id]), {"q": "ship"})
    (shipping,) = found.json()["results"]
    assert shipping["name"] == "shipping" and "{" not in shipping["text"]
    assert shipping["text"].endswith(f"at {sample.name}")


def test_a_new_message_in_a_resolved_conversation_reopens_it_and_it_climbs_the_queue(workspace):
    conversation = make_conversation(workspace, intents=("question",), minutes_ago=120)
    Conversation.objects.filter(pk=conversation.pk).update(
        status=Conversation.Status.RESOLVED, resolved_at=timezone.now() - timedelta(minutes=60)
    )
    first = Mention.objects.get(conversation=conversation)
    Mention.objects.create(
        workspace=workspace,
        network=first.network,
        external_id="later",
        author=first.author,
        text="It broke again, this is unacceptable",
        posted=timezone.now() - timedelta(minutes=5),
        in_reply_to=first.external_id,
        intents=["complaint"],
        sentiment="negative",
        conversation=conversation,
    )
    refresh([conversation.pk])
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.OPEN
    assert conversation.intent == "complaint" and conversation.sentiment == "negative"
    assert conversation.priority_reasons.startswith("complaint · question · negative")


def test_our_answer_from_harken_stops_the_wait(workspace, bob):
    conversation = make_conversation(workspace, minutes_ago=90)
    assert conversation.waiting_since is not None and conversation.priority > 0
    Message.objects.create(
        workspace=workspace,
        conversation=conversation,
        text="Done",
        state=State.SENT,
        sent_at=timezone.now(),
        author=bob,
    )
    refresh([conversation.pk])
    conversation.refresh_from_db()
    assert conversation.waiting_since is None
    assert "first message" not in conversation.priority_reasons


def test_threading_again_keeps_the_answer_we_sent_from_harken(workspace, bob):
    conversation = make_conversation(workspace, minutes_ago=90)
    sent_at = timezone.now() - timedelta(minutes=10)
    Message.objects.create(
        workspace=workspace,
        conversation=conversation,
        text="Done",
        state=State.SENT,
        sent_at=sent_at,
        author=bob,
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        status=Conversation.Status.WAITING, first_response_at=sent_at
    )
    refresh([conversation.pk])  # a later batch touches the conversation again
    conversation.refresh_from_db()
    assert conversation.first_response_at == sent_at
    assert conversation.status == Conversation.Status.WAITING


def test_a_question_about_buying_is_filed_under_purchase_intent(workspace):
    conversation = make_conversation(workspace, intents=("question", "purchase_intent"))
    assert conversation.intent == "purchase_intent"
    assert conversation.priority_reasons.startswith("purchase intent · question")


def test_the_demo_has_opening_hours_due_times_and_a_complaint_assigned_by_rule(alice):
    from harken.core.models import AuditEntry
    from harken.inbox.models import AssignmentRule, ServiceLevel

    sample = do_fill_demo([alice])
    assert ServiceLevel.objects.filter(workspace=sample).exists()
    rule = AssignmentRule.objects.get(workspace=sample)
    waiting = Conversation.objects.filter(workspace=sample, status__in=["new", "open"])
    assert waiting.filter(due_at__isnull=False).exists()
    by_rule = AuditEntry.objects.filter(
        workspace=sample, action="conversation.assign", changes__rule=rule.name
    )
    assert by_rule.exists()
    assert people_changes(sample) == []


def test_the_demo_queue_puts_complaints_and_questions_first_and_ages_as_time_passes(alice):
    from harken.inbox.priority import reprioritize_open
    from harken.inbox.sample import OWED, TIDIED_AFTER

    sample = do_fill_demo([alice])
    client = client_for(alice)
    client.post(reverse("workspace_switch"), {"workspace": sample.pk})
    rows = list(client.get(reverse("inbox")).context["rows"])  # Needs reply, by priority
    assert len(rows) >= 8
    intents = [row.intent for row in rows]
    # Every complaint and question comes before the first praise or chatter.
    first_other = next((i for i, intent in enumerate(intents) if intent not in OWED), len(rows))
    assert all(intent in OWED for intent in intents[:first_other])
    assert first_other >= 5 and set(intents[first_other:]).isdisjoint(OWED)
    # Yesterday's praise and re-shares were thanked: nothing that owes no answer has
    # waited longer than the sample team lets it.
    now = timezone.now()
    assert all(now - row.waiting_since < TIDIED_AFTER for row in rows[first_other:])
    # Waiting counts: three hours on, every waiting conversation not at the top has climbed.
    before = dict(Conversation.objects.filter(workspace=sample).values_list("pk", "priority"))
    reprioritize_open(now=now + timedelta(hours=3))
    after = dict(
        Conversation.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", "priority")
    )
    assert all(after[r.pk] > before[r.pk] for r in rows if before[r.pk] < 90)
