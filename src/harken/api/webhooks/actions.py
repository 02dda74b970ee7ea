"""Changing endpoints: each ``do_*`` checks the member's role, changes, and audits."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from harken.api.webhooks import events
from harken.api.webhooks.models import EVENTS, Delivery, Endpoint
from harken.api.webhooks.signing import new_secret
from harken.core.actions import audit
from harken.core.models import Member, Role

MAX_PER_WORKSPACE = 20


def check_manager(actor: Member) -> None:
    if not actor.can(Role.MANAGER):
        raise PermissionDenied("Only a manager or an owner can change webhooks.")


def _clean(chosen: list[str]) -> list[str]:
    unknown = sorted(set(chosen) - set(EVENTS))
    if unknown:
        raise ValidationError(f"Unknown event: {', '.join(unknown)}.")
    if not chosen:
        raise ValidationError("Choose at least one event.")
    return [e for e in EVENTS if e in set(chosen)]


def do_create_endpoint(
    actor: Member, url: str, description: str, chosen: list[str], topic_ids: list[int]
) -> Endpoint:
    check_manager(actor)
    if Endpoint.objects.filter(workspace_id=actor.workspace_id).count() >= MAX_PER_WORKSPACE:
        raise ValidationError(f"A workspace keeps at most {MAX_PER_WORKSPACE} webhooks.")
    endpoint = Endpoint.objects.create(
        workspace_id=actor.workspace_id,
        url=url,
        description=description.strip(),
        events=_clean(chosen),
        topic_ids=topic_ids,
        secret=new_secret(),
        created_by=actor.user,
    )
    audit(actor.workspace, actor.user, "webhook.create", endpoint, url=url, events=endpoint.events)
    return endpoint


def do_update_endpoint(endpoint: Endpoint, actor: Member, **changes: Any) -> Endpoint:
    check_manager(actor)
    endpoint.url = changes["url"]
    endpoint.description = changes["description"].strip()
    endpoint.events = _clean(changes["events"])
    endpoint.topic_ids = changes["topic_ids"]
    endpoint.save(update_fields=["url", "description", "events", "topic_ids"])
    audit(endpoint.workspace, actor.user, "webhook.update", endpoint, events=endpoint.events)
    return endpoint


def do_set_enabled(endpoint: Endpoint, actor: Member, enabled: bool) -> None:
    """Disable, or enable again (the failures count starts over; waiting events go)."""
    check_manager(actor)
    Endpoint.objects.filter(pk=endpoint.pk).update(
        enabled=enabled,
        disabled_reason="" if enabled else "Disabled by hand.",
        failures=0,
        failing_since=None,
    )
    if enabled:
        Delivery.objects.filter(endpoint=endpoint, status=Delivery.Status.PENDING).update(
            next_attempt=timezone.now()
        )
    audit(
        endpoint.workspace,
        actor.user,
        "webhook.enabled" if enabled else "webhook.disabled",
        endpoint,
    )


def do_roll_secret(endpoint: Endpoint, actor: Member) -> str:
    check_manager(actor)
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret"])
    audit(endpoint.workspace, actor.user, "webhook.secret_rolled", endpoint)
    return endpoint.secret


@transaction.atomic
def do_send_test(endpoint: Endpoint, actor: Member) -> Delivery:
    """A ``webhook.test`` event to this endpoint only, whatever events it chose."""
    check_manager(actor)
    data = {"message": "A test from Harken.", "workspace": actor.workspace.name}
    [row] = events.record(endpoint.workspace_id, "webhook.test", data, endpoints=[endpoint])
    return row


def do_redeliver(row: Delivery, actor: Member) -> None:
    check_manager(actor)
    from harken.api.webhooks.delivery import redeliver

    redeliver(row)
    transaction.on_commit(lambda: events._enqueue([row.pk]))
    audit(row.endpoint.workspace, actor.user, "webhook.redeliver", row.endpoint, event=row.event_id)
