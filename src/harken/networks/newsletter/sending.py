"""Sending an issue to every confirmed subscriber, each exactly once.

Each subscriber gets a ``NewsletterSend`` row for the issue (the variant's idempotency
key) before anything goes out; a row is claimed ``queued → sending`` by one conditional update just
before its SMTP call and recorded right after. A retry (the engine's, after a refusal or
a crash) sends only the rows still queued. A row a crash left in ``sending`` may or may
not have reached the server: it becomes ``unknown`` and is never sent again — at most one
subscriber per crash misses the issue, nobody gets it twice.

Sends are paced to the list's ``per_minute`` and the connection is renewed every
``BATCH`` mails, which is what shared SMTP services expect. An issue that takes longer
than the engine's lease (five minutes) may get a second worker from the engine's
reconciliation; the per-row claim keeps that from sending anyone a second copy, though
the two together send faster than ``per_minute``.
"""

from __future__ import annotations

import smtplib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from harken.networks.base import ConnectorError
from harken.networks.newsletter import mail, smtp
from harken.networks.newsletter.models import NewsletterSend, NewsletterSubscriber

#: Mails per SMTP connection.
BATCH = 50
#: Longer than one SMTP call can take (its timeout): a row claimed longer ago than this is
#: no live worker's.
IN_FLIGHT = timedelta(minutes=2)
#: Mails per minute when the list does not say.
PER_MINUTE = 120


@dataclass
class Outcome:
    sent: int = 0
    bounced: int = 0
    failed: int = 0


def queue(account_pk: int, issue: str) -> int:
    """A queued row for each confirmed subscriber who has none for ``issue`` yet; the
    unique (subscriber, issue) key makes a repeat harmless."""
    ids = list(
        NewsletterSubscriber.objects.filter(
            account_id=account_pk, status=NewsletterSubscriber.Status.CONFIRMED
        )
        .exclude(
            pk__in=NewsletterSend.objects.filter(account_id=account_pk, issue=issue).values(
                "subscriber"
            )
        )
        .values_list("pk", flat=True)
    )
    rows = [NewsletterSend(account_id=account_pk, subscriber_id=pk, issue=issue) for pk in ids]
    NewsletterSend.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)


def send_issue(
    account_pk: int,
    config: Mapping[str, Any],
    *,
    subject: str,
    text: str,
    issue: str,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Send ``issue`` to the list; see the module's docstring for the guarantees."""
    # Left in ``sending`` by a run that died: unknown, never sent again. A row claimed
    # moments ago may be a live worker's (the engine let a second one in after its lease
    # ran out on a long issue): that one is left to its worker.
    cutoff = timezone.now() - IN_FLIGHT
    NewsletterSend.objects.filter(
        Q(claimed_at__lt=cutoff) | Q(claimed_at__isnull=True),
        account_id=account_pk,
        issue=issue,
        state=NewsletterSend.State.SENDING,
    ).update(state=NewsletterSend.State.UNKNOWN, error="Cut short while sending; not sent again.")
    queue(account_pk, issue)
    per_minute = max(1, int(config.get("per_minute") or PER_MINUTE))
    interval = 60.0 / per_minute
    outcome = Outcome()
    pending = NewsletterSend.objects.filter(
        account_id=account_pk, issue=issue, state=NewsletterSend.State.QUEUED
    )
    while True:
        batch = list(pending.select_related("subscriber").order_by("pk")[:BATCH])
        if not batch:
            return outcome
        session = smtp.connect(config)
        try:
            for row in batch:
                started = time.monotonic()
                _send_one(session, config, row, subject, text, issue, outcome)
                spent = time.monotonic() - started
                if spent < interval:
                    sleep(interval - spent)
        finally:
            smtp.close(session)


def _send_one(
    session: smtplib.SMTP,
    config: Mapping[str, Any],
    row: NewsletterSend,
    subject: str,
    text: str,
    issue: str,
    outcome: Outcome,
) -> None:
    subscriber = row.subscriber
    if subscriber.status != NewsletterSubscriber.Status.CONFIRMED:  # left while the issue went out
        _settle(
            row,
            NewsletterSend.State.FAILED,
            "No longer subscribed.",
            was=NewsletterSend.State.QUEUED,
        )
        return
    claimed = NewsletterSend.objects.filter(pk=row.pk, state=NewsletterSend.State.QUEUED).update(
        state=NewsletterSend.State.SENDING, claimed_at=timezone.now()
    )
    if claimed != 1:
        return  # settled elsewhere
    message = mail.issue(
        config,
        to=subscriber.email,
        subscriber_pk=subscriber.pk,
        subject=subject,
        text=text,
        issue_key=issue,
    )
    try:
        session.send_message(message, from_addr=str(config["from_email"]))
    except smtplib.SMTPRecipientsRefused as error:
        code, why = next(iter(error.recipients.values()), (0, b""))
        reason = f"{code} {why.decode('utf-8', 'replace') if isinstance(why, bytes) else why}"
        if code >= 500:
            _settle(row, NewsletterSend.State.BOUNCED, reason)
            mark_bounced(subscriber, reason, hard=True)
            outcome.bounced += 1
        else:
            _settle(row, NewsletterSend.State.FAILED, reason)
            mark_bounced(subscriber, reason, hard=False)
            outcome.failed += 1
        return
    except smtplib.SMTPSenderRefused as error:
        _settle(row, NewsletterSend.State.QUEUED, "")
        raise ConnectorError(
            f"The SMTP server refused the From address: {smtp.words(error)}", permanent=True
        ) from None
    except smtplib.SMTPDataError as error:
        _settle(row, NewsletterSend.State.FAILED, smtp.words(error))
        outcome.failed += 1
        return
    except (smtplib.SMTPException, OSError) as error:
        # The server may or may not have taken it: never again (see the docstring).
        _settle(row, NewsletterSend.State.UNKNOWN, f"Connection lost while sending: {error}")
        raise ConnectorError(f"The SMTP server went away while sending: {error}") from None
    _settle(row, NewsletterSend.State.SENT, "", sent_at=timezone.now())
    outcome.sent += 1


def _settle(
    row: NewsletterSend,
    state: str,
    error: str,
    *,
    was: str = NewsletterSend.State.SENDING,
    **more: Any,
) -> None:
    """Record a claimed row's outcome (only while it is still in ``was``)."""
    NewsletterSend.objects.filter(pk=row.pk, state=was).update(
        state=state, error=error[:500], **more
    )


def mark_bounced(subscriber: NewsletterSubscriber, reason: str, *, hard: bool) -> None:
    """A hard bounce ends the address (it is never mailed again); a soft one is counted."""
    if hard:
        NewsletterSubscriber.objects.filter(pk=subscriber.pk).exclude(
            status=NewsletterSubscriber.Status.UNSUBSCRIBED
        ).update(
            status=NewsletterSubscriber.Status.BOUNCED,
            bounced_at=timezone.now(),
            bounce_reason=reason[:500],
        )
    else:
        NewsletterSubscriber.objects.filter(pk=subscriber.pk).update(
            soft_bounces=F("soft_bounces") + 1, bounce_reason=reason[:500]
        )
