"""Turn a stored batch of mentions into alert events, each at most once per rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from harken.core.models import Workspace
from harken.listening.alerts.conditions import Candidate, candidates, load_batch
from harken.listening.alerts.schedule import release_time, workspace_zone
from harken.listening.models import AlertEvent, AlertRule, Delivery, Mention


def evaluate(
    workspace: Workspace, mentions: Iterable[Mention], now: dt.datetime | None = None
) -> list[AlertEvent]:
    """Evaluate the workspace's enabled rules on a stored, enriched batch of mentions.

    Returns the events this call created. An event that exists already (the batch was
    ingested before) is skipped, so re-evaluating a batch alerts no one twice. Immediate
    events get their deliveries queued now; the others are held for a digest.
    """
    now = now or timezone.now()
    rules = list(
        AlertRule.objects.filter(workspace=workspace, enabled=True)
        .select_related("topic")
        .prefetch_related("destinations")
    )
    if not rules:
        return []
    for rule in rules:
        rule.workspace = workspace  # the baseline queries read it; saves a query per rule
    batch = load_batch(workspace, mentions, now)
    found = [c for rule in rules for c in candidates(rule, batch, now)]
    if not found:
        return []
    with transaction.atomic():
        events = _store(workspace, found, now)
        _queue_deliveries([e for e in events if not e.held], now)
    if any(not e.held for e in events):
        # robust: a queue that is down must not fail a batch already committed; the
        # periodic task sends these within a minute anyway.
        transaction.on_commit(_kick_delivery, robust=True)
    return events


def _store(workspace: Workspace, found: list[Candidate], now: dt.datetime) -> list[AlertEvent]:
    unique = {(c.rule.pk, c.key): c for c in found}
    rule_ids = {rule_id for rule_id, _ in unique}
    existing = set(
        AlertEvent.objects.filter(rule_id__in=rule_ids, key__in=[k for _, k in unique]).values_list(
            "rule_id", "key"
        )
    )
    fresh = [c for pair, c in unique.items() if pair not in existing]
    zone = workspace_zone(workspace.time_zone)
    # ignore_conflicts: a second worker on the same batch loses the race quietly.
    AlertEvent.objects.bulk_create(
        [_event(workspace, c, now, release_time(c.rule, now, zone)) for c in fresh],
        ignore_conflicts=True,
    )
    rules = {c.rule.pk: c.rule for c in fresh}
    stored = AlertEvent.objects.filter(
        rule_id__in=rules, key__in=[c.key for c in fresh], created=now
    ).order_by("id")
    events = list(stored)
    for event in events:
        event.rule = rules[event.rule_id]
    return events


def _event(
    workspace: Workspace, c: Candidate, now: dt.datetime, release_at: dt.datetime | None
) -> AlertEvent:
    return AlertEvent(
        workspace=workspace,
        rule=c.rule,
        key=c.key,
        mention=c.mention,
        title=c.title,
        text=c.text,
        url=c.url,
        created=now,
        held=release_at is not None,
        release_at=release_at,
    )


def _queue_deliveries(events: list[AlertEvent], now: dt.datetime) -> None:
    """One pending delivery per event and destination; the unique key stops a second."""
    rows = [
        Delivery(
            workspace_id=event.workspace_id,
            destination=destination,
            event=event,
            next_attempt=now,
        )
        for event in events
        for destination in event.rule.destinations.all()
    ]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)


def _kick_delivery() -> None:
    """Ask the queue to send now rather than at the next minute's periodic run."""
    from harken.listening.alerts.tasks import deliver_alerts_soon

    deliver_alerts_soon()
