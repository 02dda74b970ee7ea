"""The lower apps' signals, turned into webhook deliveries (connected in ``ApiConfig``)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from harken.api.webhooks import events
from harken.inbox import signals as inbox
from harken.listening import signals as listening
from harken.publishing import signals as publishing


@receiver(inbox.conversation_assigned, dispatch_uid="webhooks.conversation_assigned")
def on_assigned(conversation: Any, **extra: Any) -> None:
    events.record(
        conversation.workspace_id,
        "conversation.assigned",
        events.conversation_data(conversation),
    )


@receiver(inbox.conversation_resolved, dispatch_uid="webhooks.conversation_resolved")
def on_resolved(conversation: Any, **extra: Any) -> None:
    events.record(
        conversation.workspace_id,
        "conversation.resolved",
        events.conversation_data(conversation),
    )


@receiver(inbox.reply_changed, dispatch_uid="webhooks.reply_changed")
def on_reply(message: Any, state: str, **extra: Any) -> None:
    if state in ("held", "sent", "failed"):
        events.record(message.workspace_id, f"reply.{state}", events.reply_data(message))


@receiver(publishing.variant_published, dispatch_uid="webhooks.variant_published")
def on_published(variant: Any, **extra: Any) -> None:
    events.record(variant.post.workspace_id, "post.published", events.variant_data(variant))


@receiver(publishing.variant_failed, dispatch_uid="webhooks.variant_failed")
def on_failed(variant: Any, **extra: Any) -> None:
    events.record(variant.post.workspace_id, "post.failed", events.variant_data(variant))


@receiver(publishing.campaign_cap_reached, dispatch_uid="webhooks.campaign_cap_reached")
def on_cap(campaign_id: int, **extra: Any) -> None:
    from harken.publishing.models import Campaign

    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or not events.listening(campaign.workspace_id, "campaign.cap_reached"):
        return
    data = {
        "id": campaign.pk,
        "name": campaign.name,
        "cap_cents": campaign.cap_cents,
        "pledged_cents": campaign.pledged_cents,
        "currency": campaign.currency,
    }
    key = f"campaign:{campaign.pk}:cap:{campaign.cap_cents}"
    events.record(campaign.workspace_id, "campaign.cap_reached", data, key=key)


@receiver(listening.mentions_stored, dispatch_uid="webhooks.mentions_stored")
def on_mentions(workspace: Any, mention_ids: list[int], **extra: Any) -> None:
    if not mention_ids or not _any_wants(workspace.pk, ("mention.stored", "conversation.created")):
        return  # the usual case: one query a batch
    _mentions(workspace.pk, mention_ids)
    _conversations(workspace.pk, mention_ids)


def _any_wants(workspace_id: int, kinds: tuple[str, ...]) -> bool:
    return any(e.wants(kind) for e in events.listening_all(workspace_id) for kind in kinds)


def _mentions(workspace_id: int, mention_ids: list[int]) -> None:
    from harken.listening.models import Mention

    endpoints = events.listening(workspace_id, "mention.stored")
    if not endpoints:
        return
    mentions = (
        Mention.objects.filter(pk__in=mention_ids)
        .select_related("author")
        .prefetch_related("topics")
        .order_by("pk")
    )
    rows = []
    for mention in mentions:
        topics = sorted(t.pk for t in mention.topics.all())
        data = events.mention_data(mention, topics)
        for endpoint in endpoints:
            wanted = set(endpoint.topic_ids or [])
            if not wanted or wanted & set(topics):
                rows.append((endpoint, "mention.stored", data))
    events.record_many(rows)


def _conversations(workspace_id: int, mention_ids: list[int]) -> None:
    from harken.inbox.models import Conversation

    endpoints = events.listening(workspace_id, "conversation.created")
    if not endpoints:
        return
    started = Conversation.objects.filter(pk__in=events.new_conversations(mention_ids))
    rows = [
        (endpoint, "conversation.created", events.conversation_data(conversation))
        for conversation in started.select_related("assignee").order_by("pk")
        for endpoint in endpoints
    ]
    events.record_many(rows)
