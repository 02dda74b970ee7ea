"""Sending what is due: release digests, then deliver pending rows with retries.

The rows are the truth (no in-memory queue): a ``Delivery`` is pending until it is sent
or has failed for good. A worker claims one by moving its ``next_attempt`` forward with
an atomic update, so two workers never send the same row, and a worker that dies
mid-send leaves it to be retried after the lease.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from harken.listening.alerts import messages
from harken.listening.alerts.destinations import DeliveryError, send
from harken.listening.models import AlertDigest, AlertEvent, AlertRule, Delivery

log = logging.getLogger(__name__)

#: Attempts before a delivery is marked failed for good (about a day of backoff).
MAX_ATTEMPTS = 8
#: First retry after about a minute, doubling, at most six hours apart.
BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_CAP = dt.timedelta(hours=6)
#: A claimed delivery whose worker died is tried again after this.
LEASE = dt.timedelta(minutes=5)
BATCH = 200


@dataclass
class DeliveryReport:
    digests: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def do_deliver_due(now: dt.datetime | None = None) -> DeliveryReport:
    """Release due digests, then send every pending delivery whose time has come."""
    now = now or timezone.now()
    report = DeliveryReport(digests=do_release_digests(now))
    due = Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt__lte=now)
    report.failed += _stop_for_disabled_rules(due)
    for pk, at in due.order_by("next_attempt", "id").values_list("pk", "next_attempt")[:BATCH]:
        if at is not None and _claim(pk, at, now):
            # A rule deleted since the claim took its deliveries along: nothing to send.
            delivery = Delivery.objects.select_related("destination__rule").filter(pk=pk).first()
            if delivery is not None:
                _count(report, deliver(delivery, now))
    return report


#: Why a pending delivery of a rule switched off was not sent (shown on the rule's page).
RULE_OFF = "Not sent: the rule was switched off. Retry sends it anyway."


def _stop_for_disabled_rules(due: QuerySet[Delivery]) -> int:
    """A rule switched off sends nothing more: its due deliveries end as failed, visibly,
    with a reason and the Retry button, rather than going out or vanishing."""
    off = due.filter(destination__rule__enabled=False).values("pk")
    return Delivery.objects.filter(pk__in=off).update(
        status=Delivery.Status.FAILED, next_attempt=None, last_error=RULE_OFF
    )


def _claim(pk: int, at: dt.datetime, now: dt.datetime) -> bool:
    claimed = Delivery.objects.filter(pk=pk, status=Delivery.Status.PENDING, next_attempt=at)
    return claimed.update(next_attempt=now + LEASE) == 1


def _count(report: DeliveryReport, delivery: Delivery) -> None:
    if delivery.status == Delivery.Status.SENT:
        report.sent += 1
    elif delivery.status == Delivery.Status.FAILED:
        report.failed += 1
    else:
        report.retrying += 1


def deliver(delivery: Delivery, now: dt.datetime) -> Delivery:
    """Try one delivery once and record the outcome on its row."""
    destination = delivery.destination
    rule = destination.rule
    try:
        send(destination, message_for(delivery, rule))
    except DeliveryError as exc:
        _record_failure(delivery, exc, now)
    except Exception as exc:
        # A bug or an odd value must not stop the other deliveries of this run.
        log.exception("Alert delivery %s raised", delivery.pk)
        _record_failure(delivery, DeliveryError(f"Unexpected error: {exc!r}"), now)
    else:
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = now
        delivery.next_attempt = None
        delivery.last_error = ""
        delivery.attempts += 1
    delivery.save(update_fields=["status", "sent_at", "next_attempt", "last_error", "attempts"])
    return delivery


def message_for(delivery: Delivery, rule: AlertRule) -> messages.Message:
    if delivery.digest is not None:
        events = list(AlertEvent.objects.filter(digest=delivery.digest).order_by("created", "id"))
        return messages.build(rule, events, digest=True)
    assert delivery.event is not None  # a delivery is of an event or of a digest
    return messages.build(rule, [delivery.event], digest=False)


def _record_failure(delivery: Delivery, exc: DeliveryError, now: dt.datetime) -> None:
    delivery.attempts += 1
    delivery.last_error = str(exc)[:2000]
    if exc.permanent or delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = Delivery.Status.FAILED
        delivery.next_attempt = None
        log.warning("Alert delivery %s failed for good: %s", delivery.pk, exc)
        return
    wait = backoff(delivery.attempts)
    if exc.retry_after is not None:
        wait = max(wait, dt.timedelta(seconds=exc.retry_after))
    delivery.next_attempt = now + wait


def backoff(attempts: int) -> dt.timedelta:
    """Exponential from ``BACKOFF_BASE``, capped, with ±20 % jitter so retries spread out."""
    delay = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, attempts - 1))
    return delay * random.uniform(0.8, 1.2)


# --- digests ---------------------------------------------------------------------------------


def do_release_digests(now: dt.datetime) -> int:
    """Group each rule's held events that are due into one digest with its deliveries."""
    due = AlertEvent.objects.filter(held=True, digest__isnull=True, release_at__lte=now)
    # A rule switched off while its events waited sends no digest: the events stop being
    # held (the rule's page says they were not sent) and a later switch-on starts afresh.
    off = due.filter(rule__enabled=False).values("pk")
    AlertEvent.objects.filter(pk__in=off).update(held=False)
    due = due.filter(rule__enabled=True)
    rule_ids = list(due.order_by().values_list("rule_id", flat=True).distinct())
    return sum(1 for rule_id in rule_ids if _release(rule_id, now))


def _release(rule_id: int, now: dt.datetime) -> AlertDigest | None:
    rule = AlertRule.objects.filter(pk=rule_id, enabled=True).first()
    if rule is None:  # deleted or switched off since the events were listed
        return None
    with transaction.atomic():
        digest = AlertDigest.objects.create(workspace_id=rule.workspace_id, rule=rule, created=now)
        # The update is the claim: a second worker releasing the same rule finds no
        # events left and drops its empty digest.
        taken = AlertEvent.objects.filter(
            rule=rule, held=True, digest__isnull=True, release_at__lte=now
        ).update(digest=digest)
        if not taken:
            digest.delete()
            return None
        Delivery.objects.bulk_create(
            [
                Delivery(
                    workspace_id=rule.workspace_id, destination=d, digest=digest, next_attempt=now
                )
                for d in rule.destinations.all()
            ],
            ignore_conflicts=True,
        )
    return digest


# --- test alerts --------------------------------------------------------------------------------


def do_send_test(
    rule: AlertRule, actor: Any = None, now: dt.datetime | None = None
) -> list[Delivery]:
    """Send a test alert to every destination of ``rule`` right away, ignoring quiet hours.

    The deliveries are ordinary rows: a failed one is shown with its error and retried.
    """
    from harken.core.actions import audit

    now = now or timezone.now()
    event = AlertEvent.objects.create(
        workspace_id=rule.workspace_id,
        rule=rule,
        key=f"test:{uuid.uuid4().hex}",
        title=f"Test alert from Harken: {rule.name}",
        text="This is a test. When the rule fires, its alerts will arrive here like this one.",
        created=now,
    )
    rows = [
        Delivery.objects.create(
            workspace_id=rule.workspace_id, destination=d, event=event, next_attempt=now
        )
        for d in rule.destinations.all()
    ]
    audit(rule.workspace, actor, "alert.test", rule, destinations=len(rows))
    return [deliver(row, now) for row in rows]


def do_retry_delivery(delivery: Delivery, actor: Any = None) -> Delivery:
    """Try a failed delivery again now (after fixing its destination), with fresh attempts."""
    from harken.core.actions import audit

    now = timezone.now()
    failed = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.FAILED)
    if failed.update(status=Delivery.Status.PENDING, attempts=0, next_attempt=now + LEASE):
        delivery.refresh_from_db()
        audit(delivery.destination.rule.workspace, actor, "alert.retry", delivery)
        return deliver(delivery, now)
    delivery.refresh_from_db()
    return delivery
