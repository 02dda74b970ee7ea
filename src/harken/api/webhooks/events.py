"""Recording events: one delivery row per (endpoint, event), written where the change is.

The lower apps send Django signals at the moment of the change (``harken.inbox.signals``,
``harken.listening.signals``, ``harken.publishing.signals``), inside the change's own
transaction where there is one (a batch of mentions, a sent reply, a pledge). The
receivers here write the delivery rows right then, so the rows commit or roll back with
the change: an event is never lost to a crash between the change and an ``on_commit``
hook, and never sent for a change that rolled back. Only the HTTP send waits for the
commit (``on_commit`` queues it); the minutely sweep sends anything the queue lost.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from harken.api.webhooks.models import Delivery, Endpoint


def new_event_id() -> str:
    """``msg_`` and 27 URL-safe characters: unique, and safe in a header."""
    return "msg_" + secrets.token_urlsafe(20)


def payload(event_type: str, data: dict[str, Any], at: datetime) -> dict[str, Any]:
    """The Standard Webhooks shape: the type, when it happened, and its data."""
    return {"type": event_type, "timestamp": at.isoformat(), "data": data}


def listening_all(workspace_id: int) -> list[Endpoint]:
    return list(Endpoint.objects.filter(workspace_id=workspace_id, enabled=True))


def listening(workspace_id: int, event_type: str) -> list[Endpoint]:
    """The workspace's enabled endpoints that chose ``event_type``."""
    return [e for e in listening_all(workspace_id) if e.wants(event_type)]


def record(
    workspace_id: int,
    event_type: str,
    data: dict[str, Any],
    *,
    key: str = "",
    endpoints: Iterable[Endpoint] | None = None,
) -> list[Delivery]:
    """Write the event's deliveries for the workspace's endpoints that want it, and queue
    their first try for after the commit. With ``key``, an endpoint gets it once ever."""
    now = timezone.now()
    chosen = list(endpoints) if endpoints is not None else listening(workspace_id, event_type)
    made = []
    for endpoint in chosen:
        row = Delivery(
            endpoint=endpoint,
            event_id=new_event_id(),
            event_type=event_type,
            key=key,
            payload=payload(event_type, data, now),
            created=now,
            next_attempt=now,
        )
        if key:
            try:
                with transaction.atomic():  # a savepoint: a repeat leaves the rest intact
                    row.save()
            except IntegrityError:
                continue
        else:
            row.save()
        made.append(row)
    if made:
        transaction.on_commit(lambda: _enqueue([row.pk for row in made]))
    return made


def record_many(
    endpoint_rows: list[tuple[Endpoint, str, dict[str, Any]]],
) -> list[Delivery]:
    """Many events at once (a batch of mentions): one INSERT."""
    now = timezone.now()
    rows = [
        Delivery(
            endpoint=endpoint,
            event_id=new_event_id(),
            event_type=event_type,
            payload=payload(event_type, data, now),
            created=now,
            next_attempt=now,
        )
        for endpoint, event_type, data in endpoint_rows
    ]
    made = Delivery.objects.bulk_create(rows)
    if made:
        ids = [row.pk for row in made if row.pk is not None]
        transaction.on_commit(lambda: _enqueue(ids))
    return made


def _enqueue(ids: list[int]) -> None:
    from harken.api.webhooks import tasks

    tasks.send_deliveries(ids)


def link(path: str) -> str:
    return settings.BASE_URL.rstrip("/") + path


# --- what each event says ----------------------------------------------------------------


def conversation_data(conversation: Any) -> dict[str, Any]:
    assignee = conversation.assignee
    return {
        "id": conversation.pk,
        "network": conversation.network,
        "status": conversation.status,
        "assignee": assignee.get_username() if assignee else None,
        "url": link(f"/inbox/{conversation.pk}/"),
    }


def reply_data(message: Any) -> dict[str, Any]:
    return {
        "id": message.pk,
        "conversation": message.conversation_id,
        "state": message.state,
        "text": message.text,
        "url": message.url or None,
        "error": message.error or None,
        "hold_reason": message.hold_reason or None,
    }


def variant_data(variant: Any) -> dict[str, Any]:
    return {
        "id": variant.pk,
        "post": variant.post_id,
        "network": variant.account.network,
        "account": variant.account_id,
        "state": variant.state,
        "external_id": variant.external_id or None,
        "url": variant.url or None,
        "error": variant.error or None,
    }


def mention_data(mention: Any, topic_ids: list[int]) -> dict[str, Any]:
    return {
        "id": mention.pk,
        "network": mention.network,
        "url": mention.url or None,
        "text": mention.text,
        "author": mention.author.handle,
        "posted": mention.posted.isoformat(),
        "topics": topic_ids,
        "sentiment": mention.sentiment or None,
        "intents": mention.intents or [],
        "conversation": mention.conversation_id,
    }


def new_conversations(mention_ids: list[int]) -> list[int]:
    """The conversations whose every mention is in this batch: the batch started them."""
    from harken.inbox.models import Conversation

    batch = set(mention_ids)
    touched = Conversation.objects.filter(mentions__id__in=batch).values("pk").distinct()
    return list(
        Conversation.objects.filter(pk__in=touched)
        .annotate(older=Count("mentions", filter=~Q(mentions__id__in=batch)))
        .filter(older=0)
        .values_list("pk", flat=True)
    )
