"""Triage: what counts as owed an answer, snoozes that a customer ends, bulk actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from harken.core.models import AuditEntry, Member
from harken.inbox import actions
from harken.inbox.models import Conversation
from harken.inbox.views import replyable_networks
from harken.listening.models import Mention
from harken.listening.threads import refresh
from tests.inbox.conftest import make_conversation

pytestmark = pytest.mark.django_db


def _counts(client) -> dict[str, int]:
    return {v["key"]: v["count"] for v in client.get(reverse("inbox")).context["views"]}


def test_the_networks_that_can_reply_come_from_the_connectors_capabilities():
    from harken.networks.registry import CONNECTORS, connector_class

    replyable = replyable_networks()
    assert "mastodon" in replyable and "feed" not in replyable
    assert all("reply" in connector_class(n).capabilities for n in replyable)
    assert set(CONNECTORS) - set(replyable) == {
        n for n in CONNECTORS if "reply" not in connector_class(n).capabilities
    }


def test_a_feed_conversation_is_not_owed_an_answer_but_stays_in_all(alice_client, workspace):
    feed = make_conversation(workspace, network="feed", handle="blog", intents=("question",))
    asked = make_conversation(workspace, handle="maya", intents=("question",))
    counts = _counts(alice_client)
    assert counts["needs_reply"] == 1 and counts["unassigned"] == 1
    assert counts["questions"] == 1 and counts["all"] == 2
    needs = alice_client.get(reverse("inbox")).context["rows"]
    assert [r.pk for r in needs] == [asked.pk]
    everything = alice_client.get(reverse("inbox") + "?view=all")
    assert {r.pk for r in everything.context["rows"]} == {feed.pk, asked.pk}
    html = everything.content.decode()
    assert html.count("no reply possible here") == 1
    page = alice_client.get(reverse("inbox_conversation", args=[feed.pk])).content.decode()
    assert "no reply possible here" in page


def test_the_empty_inbox_facts_do_not_count_feeds_as_unanswered(workspace):
    from harken.inbox.sections import inbox

    make_conversation(workspace, network="feed", handle="blog")
    make_conversation(workspace, handle="maya")
    facts = inbox(workspace)
    assert facts["conversations"] == 2 and facts["unanswered"] == 1


def _write_again(conversation: Conversation, minutes_ago: int, own: bool = False) -> Mention:
    first = Mention.objects.filter(conversation=conversation).first()
    assert first is not None
    return Mention.objects.create(
        workspace=conversation.workspace,
        network=first.network,
        external_id=f"again-{minutes_ago}-{own}",
        author=first.author,
        text="Any news?",
        posted=timezone.now() - timedelta(minutes=minutes_ago),
        in_reply_to=first.external_id,
        intents=["question"],
        sentiment="neutral",
        is_own=own,
        conversation=conversation,
    )


def test_a_new_customer_message_wakes_a_snoozed_conversation(alice_client, alice, workspace):
    conversation = make_conversation(workspace, minutes_ago=60)
    member = Member.objects.get(user=alice, workspace=workspace)
    actions.do_snooze(conversation, member, timezone.now() + timedelta(days=1))
    assert _counts(alice_client)["needs_reply"] == 0
    refresh([conversation.pk])  # threading the same items again wakes nothing
    conversation.refresh_from_db()
    assert conversation.snoozed_until is not None
    _write_again(conversation, minutes_ago=2)
    refresh([conversation.pk])
    conversation.refresh_from_db()
    assert conversation.snoozed_until is None
    assert AuditEntry.objects.filter(
        workspace=workspace, action="conversation.snooze_woken", target=str(conversation)
    ).exists()
    assert _counts(alice_client)["needs_reply"] == 1


def test_our_own_message_or_an_older_one_does_not_wake_it(alice, workspace):
    conversation = make_conversation(workspace, minutes_ago=60)
    member = Member.objects.get(user=alice, workspace=workspace)
    actions.do_snooze(conversation, member, timezone.now() + timedelta(days=1))
    _write_again(conversation, minutes_ago=90)  # fetched late, written before the rest
    _write_again(conversation, minutes_ago=1, own=True)  # our own answer
    refresh([conversation.pk])
    conversation.refresh_from_db()
    assert conversation.snoozed_until is not None
    assert not AuditEntry.objects.filter(action="conversation.snooze_woken").exists()


def _bulk(client, ids, action, **data):
    return client.post(reverse("inbox_bulk"), {"ids": ids, "action": action, **data})


def test_bulk_assign_tag_and_resolve_each_selected_row(alice_client, bob, workspace):
    one, two, left = (make_conversation(workspace, handle=h) for h in ("one", "two", "left"))
    ids = [one.pk, two.pk]
    response = _bulk(alice_client, ids, "assign", assignee=str(bob.pk), keep_view="unassigned")
    assert response.status_code == 302 and response["Location"].endswith("?view=unassigned")
    _bulk(alice_client, ids, "tag", tag="  Rush  Order ")
    assert set(Conversation.objects.filter(assignee=bob).values_list("pk", flat=True)) == set(ids)
    assert {t.name for t in one.tags.all()} == {"rush order"} == {t.name for t in two.tags.all()}
    _bulk(alice_client, ids, "resolve")
    statuses = dict(Conversation.objects.values_list("pk", "status"))
    assert statuses == {one.pk: "resolved", two.pk: "resolved", left.pk: "new"}
    assert left.tags.count() == 0 and Conversation.objects.get(pk=left.pk).assignee is None
    audited = AuditEntry.objects.filter(workspace=workspace, action="conversation.status")
    assert audited.count() == 2
    refused = _bulk(alice_client, [one.pk], "assign", assignee="999999")
    assert refused.status_code == 302
    assert Conversation.objects.get(pk=one.pk).assignee == bob


def test_bulk_spam_corrects_the_analysis_like_the_stream_and_resolves(alice_client, workspace):
    from harken.analysis.models import Correction

    spam = make_conversation(workspace, handle="promo", text="Cheap followers at example.biz")
    _write_again(spam, minutes_ago=1)
    _bulk(alice_client, [spam.pk], "spam")
    spam.refresh_from_db()
    assert spam.status == Conversation.Status.RESOLVED and spam.priority == 0
    intents = Mention.objects.filter(conversation=spam).values_list("intents", flat=True)
    assert all(list(i) == ["spam"] for i in intents)
    corrections = Correction.objects.filter(workspace=workspace, field="intent", label="spam")
    assert corrections.count() == 2
    assert {c.text for c in corrections} >= {"Cheap followers at example.biz"}
    assert AuditEntry.objects.filter(action="mention.corrected").count() == 2
    _bulk(alice_client, [spam.pk], "spam")  # again: nothing left to correct
    assert corrections.count() == 2


def test_bulk_actions_never_touch_another_workspaces_rows(
    charlie_client, workspace, other_workspace
):
    theirs = make_conversation(workspace, handle="theirs")
    response = _bulk(charlie_client, [theirs.pk], "resolve")
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.status == Conversation.Status.NEW
    assert not AuditEntry.objects.filter(action="conversation.status").exists()


def test_a_viewer_cannot_use_bulk_actions(victor, workspace):
    from tests.conftest import client_for

    row = make_conversation(workspace)
    client = client_for(victor)
    assert _bulk(client, [row.pk], "resolve").status_code == 403
    page = client.get(reverse("inbox")).content.decode()
    assert 'id="bulk-form"' not in page and "row-select" not in page
    row.refresh_from_db()
    assert row.status == Conversation.Status.NEW


def test_the_list_offers_a_checkbox_per_row_for_the_bulk_form(alice_client, workspace):
    row = make_conversation(workspace)
    page = alice_client.get(reverse("inbox")).content.decode()
    assert f'name="ids" value="{row.pk}" form="bulk-form"' in page
    assert 'id="bulk-form"' in page and 'value="spam"' in page
