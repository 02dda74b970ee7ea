"""Sending deliveries: claimed with an atomic update, one signed POST per try through the
URL guard, retried with exponential backoff for a day.

Exactly-once for a receiver that dedupes on ``webhook-id``: the row is the truth. A
worker claims a delivery by moving its ``next_attempt`` forward by a lease (only one
worker's update matches), sends, then records. A worker that dies between the send and
the record leaves the row pending; when the lease runs out the sweep sends it again with
the same id, which the receiver recognises. Nothing is lost: the row was written with
the change (``events``) and stays pending until a 2xx is recorded.

An endpoint that fails ``DISABLE_AFTER`` tries in a row, over at least ``DISABLE_SPAN``,
is disabled and the workspace's owners are told; its pending deliveries wait, and are
sent when it is enabled again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import time

import httpx
from django.db.models import F
from django.utils import timezone
from django.utils.html import strip_tags

from harken.api.webhooks import signing
from harken.api.webhooks.models import Delivery, Endpoint
from harken.core.models import Member, Role
from harken.core.notify import notify, register_kind
from harken.lib import http
from harken.networks.base import ConnectorError

log = logging.getLogger(__name__)

TIMEOUT = 10.0
LEASE = dt.timedelta(minutes=5)
BACKOFF_BASE = dt.timedelta(seconds=30)
BACKOFF_CAP = dt.timedelta(hours=6)
#: Retries stop a day after the event.
GIVE_UP_AFTER = dt.timedelta(days=1)
DISABLE_AFTER = 15
DISABLE_SPAN = dt.timedelta(hours=24)
BATCH = 100
EXCERPT = 400
#: The log keeps settled deliveries this long (mention.stored alone makes many).
KEEP = dt.timedelta(days=30)

WEBHOOK_DISABLED = register_kind(
    "webhook_disabled", "A webhook endpoint was disabled after failing", 4
).key

Status = Delivery.Status


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 2 min, 8 min, 32 min, 2 h 8 min, then every 6 h; ±20 % jitter."""
    delay = min(BACKOFF_CAP, BACKOFF_BASE * 4 ** max(0, attempts - 1))
    return delay * random.uniform(0.8, 1.2)


def due(now: dt.datetime) -> list[tuple[int, dt.datetime | None]]:
    rows = Delivery.objects.filter(
        status=Status.PENDING, next_attempt__lte=now, endpoint__enabled=True
    ).order_by("next_attempt", "id")
    return list(rows.values_list("pk", "next_attempt")[:BATCH])


def do_send(ids: list[int], now: dt.datetime | None = None) -> list[Delivery]:
    """The first try of new deliveries (the queue's task)."""
    now = now or timezone.now()
    rows = Delivery.objects.filter(
        pk__in=ids, status=Status.PENDING, next_attempt__lte=now, endpoint__enabled=True
    )
    return send_claimed(list(rows.values_list("pk", "next_attempt")), now)


def do_deliver_due(now: dt.datetime | None = None) -> list[Delivery]:
    """Retries whose time has come, and any first try the queue lost (every minute)."""
    now = now or timezone.now()
    return send_claimed(due(now), now)


def claim(pk: int, at: dt.datetime | None, now: dt.datetime) -> bool:
    return bool(
        Delivery.objects.filter(pk=pk, status=Status.PENDING, next_attempt=at).update(
            next_attempt=now + LEASE
        )
    )


def send_claimed(rows: list[tuple[int, dt.datetime | None]], now: dt.datetime) -> list[Delivery]:
    done = []
    for pk, at in rows:
        if claim(pk, at, now):
            row = Delivery.objects.select_related("endpoint__workspace").get(pk=pk)
            done.append(attempt(row, now))
    return done


def body_of(row: Delivery) -> bytes:
    return json.dumps(row.payload, separators=(",", ":"), ensure_ascii=False).encode()


def post(row: Delivery, now: dt.datetime) -> tuple[int | None, str, str]:
    """One signed POST: (status, excerpt of the answer, error)."""
    body = body_of(row)
    sent_at = timezone.now()
    headers = signing.headers(row.endpoint.secret, row.event_id, sent_at, body)
    try:
        response = http.request(
            "POST",
            row.endpoint.url,
            content=body,
            headers=headers,
            timeout=TIMEOUT,
            attempts=1,
            raise_for_status=False,
            max_bytes=64_000,
        )
    except http.HttpStatusError as exc:  # 429 and 5xx
        return exc.status, excerpt_of(exc.response), f"The endpoint answered {exc.status}."
    except ConnectorError as exc:
        return None, "", str(exc)[:500]
    if 200 <= response.status_code < 300:
        return response.status_code, excerpt_of(response), ""
    status = response.status_code
    return status, excerpt_of(response), f"The endpoint answered {status}."


def excerpt_of(response: httpx.Response) -> str:
    """The answer's start as plain text (the page escapes it again when it shows it)."""
    try:
        text = response.text
    except Exception:  # an unread or undecodable body
        return ""
    return " ".join(strip_tags(text).split())[:EXCERPT]


def attempt(row: Delivery, now: dt.datetime) -> Delivery:
    """Try ``row`` once and record how it went."""
    started = time.monotonic()
    try:
        status, excerpt, error = post(row, now)
    except Exception as exc:  # a bug must not stop the rest of the batch
        log.exception("Webhook delivery %s raised", row.pk)
        status, excerpt, error = None, "", f"Unexpected error: {exc!r}"[:500]
    row.latency_ms = int((time.monotonic() - started) * 1000)
    row.attempts += 1
    row.last_attempt = now
    row.response_status, row.response_excerpt, row.error = status, excerpt, error
    if not error:
        row.status, row.next_attempt = Status.SENT, None
        Endpoint.objects.filter(pk=row.endpoint_id).update(failures=0, failing_since=None)
    elif now - row.created >= GIVE_UP_AFTER:
        row.status, row.next_attempt = Status.FAILED, None
    else:
        row.next_attempt = now + backoff(row.attempts)
    row.save()
    if error:
        failed(row.endpoint, now)
    return row


def failed(endpoint: Endpoint, now: dt.datetime) -> None:
    """Count a failed try; disable the endpoint after enough of them, over long enough."""
    Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
    Endpoint.objects.filter(pk=endpoint.pk).update(failures=F("failures") + 1)
    endpoint.refresh_from_db(fields=["failures", "failing_since", "enabled"])
    since = endpoint.failing_since or now
    if endpoint.enabled and endpoint.failures >= DISABLE_AFTER and now - since >= DISABLE_SPAN:
        disable(endpoint, f"Disabled after {endpoint.failures} failed tries in a row.")


def disable(endpoint: Endpoint, reason: str) -> None:
    if not Endpoint.objects.filter(pk=endpoint.pk, enabled=True).update(
        enabled=False, disabled_reason=reason[:300]
    ):
        return  # another worker disabled it a moment ago, and told the owners
    endpoint.enabled, endpoint.disabled_reason = False, reason
    owners = Member.objects.filter(workspace_id=endpoint.workspace_id, role=Role.OWNER)
    for owner in owners.select_related("user"):
        notify(
            owner,
            WEBHOOK_DISABLED,
            f"Webhook disabled: {endpoint.url}",
            f"{reason} Its undelivered events wait until it is enabled again; events"
            " that happen while it is off are not recorded for it.",
            f"/api/webhooks/{endpoint.pk}/",
            about=f"webhook:{endpoint.pk}:{endpoint.failing_since}",
        )


def redeliver(row: Delivery, now: dt.datetime | None = None) -> None:
    """Send ``row`` again soon, with its own id (a receiver that has it ignores it)."""
    now = now or timezone.now()
    Delivery.objects.filter(pk=row.pk).update(status=Status.PENDING, next_attempt=now)


def do_prune(now: dt.datetime | None = None) -> int:
    """Forget settled deliveries older than ``KEEP``; pending ones stay until settled."""
    now = now or timezone.now()
    old = Delivery.objects.filter(created__lt=now - KEEP).exclude(status=Status.PENDING)
    deleted, _ = old.delete()
    return deleted
