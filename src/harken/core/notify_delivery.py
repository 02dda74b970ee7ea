"""Sending notifications: e-mail through Django's mail, push through ntfy.

Like the alerts' deliveries (``harken.listening.alerts.delivery``, whose conventions this
follows; the core sits below listening and cannot import it): rows are the truth, a
worker claims a delivery with an atomic update of ``next_attempt``, one HTTP attempt per
try (``harken.lib.http``: the URL guard, timeouts), and a failure is retried by the queue
with exponential backoff until it is sent or fails for good.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import smtplib
from email.header import Header

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from harken.core.models import NotificationDelivery, NotificationSettings
from harken.core.notify import KINDS, settings_for
from harken.lib import http
from harken.networks.base import ConnectorError

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_CAP = dt.timedelta(hours=6)
LEASE = dt.timedelta(minutes=5)
TIMEOUT = 10.0
BATCH = 200

Status = NotificationDelivery.Status


class SendError(Exception):
    """A send failed; ``permanent`` means retrying cannot help (no address, a 404 topic)."""

    def __init__(self, message: str, permanent: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


def do_send_notification(pk: int, now: dt.datetime | None = None) -> list[NotificationDelivery]:
    """Send the pending, due deliveries of notification ``pk`` (the queue's first try)."""
    now = now or timezone.now()
    due = NotificationDelivery.objects.filter(
        notification_id=pk, status=Status.PENDING, next_attempt__lte=now
    )
    return _send_claimed(list(due.values_list("pk", "next_attempt")), now)


def do_deliver_due(now: dt.datetime | None = None) -> list[NotificationDelivery]:
    """Send every pending delivery whose time has come (retries, and any first try the
    queue lost)."""
    now = now or timezone.now()
    due = NotificationDelivery.objects.filter(status=Status.PENDING, next_attempt__lte=now)
    rows = list(due.order_by("next_attempt", "id").values_list("pk", "next_attempt")[:BATCH])
    return _send_claimed(rows, now)


def _send_claimed(rows: list[tuple[int, dt.datetime | None]], now: dt.datetime) -> list:
    done = []
    for pk, at in rows:
        claimed = NotificationDelivery.objects.filter(
            pk=pk, status=Status.PENDING, next_attempt=at
        ).update(next_attempt=now + LEASE)
        if claimed:
            row = NotificationDelivery.objects.select_related(
                "notification__member__user", "notification__workspace"
            ).get(pk=pk)
            done.append(deliver(row, now))
    return done


def deliver(row: NotificationDelivery, now: dt.datetime) -> NotificationDelivery:
    """Try one delivery once and record the outcome on its row."""
    try:
        chosen = settings_for(row.notification.member)
        if row.channel == NotificationDelivery.Channel.EMAIL:
            send_email(row, chosen)
        else:
            send_ntfy(row, chosen)
    except SendError as exc:
        _failed(row, exc, now)
    except Exception as exc:  # a bug must not stop the other deliveries of this run
        log.exception("Notification delivery %s raised", row.pk)
        _failed(row, SendError(f"Unexpected error: {exc!r}"), now)
    else:
        row.status, row.sent_at, row.next_attempt, row.last_error = Status.SENT, now, None, ""
        row.attempts += 1
    row.save(update_fields=["status", "sent_at", "next_attempt", "last_error", "attempts"])
    return row


def _failed(row: NotificationDelivery, exc: SendError, now: dt.datetime) -> None:
    row.attempts += 1
    row.last_error = str(exc)[:2000]
    if exc.permanent or row.attempts >= MAX_ATTEMPTS:
        row.status, row.next_attempt = Status.FAILED, None
        log.warning("Notification delivery %s failed for good: %s", row.pk, exc)
        return
    wait = backoff(row.attempts)
    if exc.retry_after is not None:
        wait = max(wait, dt.timedelta(seconds=exc.retry_after))
    row.next_attempt = now + wait


def backoff(attempts: int) -> dt.timedelta:
    """Exponential from a minute, capped at six hours, with ±20 % jitter."""
    delay = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, attempts - 1))
    return delay * random.uniform(0.8, 1.2)


def link(row: NotificationDelivery) -> str:
    path = row.notification.url
    return settings.BASE_URL.rstrip("/") + path if path.startswith("/") else ""


# --- the channels ------------------------------------------------------------------------


def send_email(row: NotificationDelivery, chosen: NotificationSettings) -> None:
    if not chosen.address:
        raise SendError("This member has no e-mail address.", permanent=True)
    note = row.notification
    body = "\n\n".join(part for part in (note.body, link(row)) if part)
    mail = EmailMessage(
        subject=f"[Harken] {one_line(note.subject)}"[:250],
        body=f"{body}\n\n— {note.workspace.name}, {KINDS[note.kind].label.lower()}."
        if note.kind in KINDS
        else body,
        to=[chosen.address],
    )
    try:
        mail.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendError(f"The mail server refused the address: {exc}", True) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise SendError(f"Could not send the e-mail: {exc}") from exc


def send_ntfy(row: NotificationDelivery, chosen: NotificationSettings) -> None:
    server, topic = chosen.ntfy_server.rstrip("/"), chosen.ntfy_topic
    if not server or not topic:
        raise SendError("No ntfy server and topic are set.", permanent=True)
    note = row.notification
    kind = KINDS.get(note.kind)
    headers = {"Title": header_value(note.subject), "Priority": str(kind.priority if kind else 3)}
    if link(row).isascii() and link(row):
        headers["Click"] = link(row)
    if chosen.ntfy_token:
        headers["Authorization"] = f"Bearer {chosen.ntfy_token}"
    try:
        http.request(
            "POST",
            f"{server}/{topic}",
            content=(note.body or note.subject).encode("utf-8"),
            headers=headers,
            timeout=TIMEOUT,
            attempts=1,
        )
    except ConnectorError as exc:
        raise SendError(str(exc), exc.permanent, exc.retry_after) from exc


def one_line(text: str) -> str:
    """Headers and subjects: no line breaks (they would start a new header)."""
    return " ".join(text.split())


def header_value(text: str) -> str:
    """One line; non-ASCII as an RFC 2047 encoded word, which ntfy decodes."""
    text = one_line(text)[:200]
    return text if text.isascii() else Header(text, "utf-8").encode(maxlinelen=10_000)
