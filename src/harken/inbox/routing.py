"""Handing conversations seen for the first time to the assignment rules, through the
queue and after the transaction that made them is stored (so the task reads them)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from harken.inbox.models import Conversation


def route_new(ids: Sequence[int]) -> None:
    unrouted = list(
        Conversation.objects.filter(pk__in=ids, routed_at__isnull=True).values_list("pk", flat=True)
    )
    if unrouted:
        transaction.on_commit(lambda: _enqueue(unrouted))


def _enqueue(ids: list[int]) -> None:
    from harken.inbox.tasks import route_conversations

    route_conversations(ids)
