"""Who is on a list: the public double opt-in (subscribe → confirmation mail → confirmed),
unsubscribing, and importing subscribers with the date they consented."""

from __future__ import annotations

import csv
import io
import logging
import smtplib
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from harken.networks.base import ConnectorError
from harken.networks.models import Account
from harken.networks.newsletter import mail, smtp
from harken.networks.newsletter.models import NewsletterSubscriber as Subscriber

log = logging.getLogger(__name__)
Status = Subscriber.Status
#: Statuses a person left on purpose or whose address is dead: an import never undoes them.
ENDED = (Status.UNSUBSCRIBED, Status.BOUNCED)
#: Rows one import reads.
MAX_ROWS = 50_000


def config_of(account: Account) -> dict[str, Any]:
    """The list's decrypted settings (an ``EncryptedJSONField`` holds a dict)."""
    return cast(dict[str, Any], account.config) or {}


def clean_email(value: str) -> str | None:
    """The address lower-cased, or None when it is not one."""
    email = value.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        return None
    return email if len(email) <= 254 else None


def subscribe(account: Account, email: str, name: str = "") -> bool:
    """Ask ``email`` to confirm. Whatever the address's state, the caller answers the same
    (no one learns who is subscribed); a confirmed address gets no mail. True when a
    confirmation went out."""
    with transaction.atomic():
        subscriber, created = Subscriber.objects.get_or_create(
            account=account,
            email=email,
            defaults={"workspace_id": account.workspace_id, "name": name[:200], "source": "form"},
        )
    if subscriber.status == Status.CONFIRMED:
        return False
    config = config_of(account)
    message = mail.confirmation(config, to=email, subscriber_pk=subscriber.pk)
    try:
        session = smtp.connect(config)
        try:
            session.send_message(message, from_addr=str(config["from_email"]))
        finally:
            smtp.close(session)
    except (ConnectorError, OSError, smtplib.SMTPException) as error:  # the page must not say
        log.warning("Newsletter %s: the confirmation mail failed: %s", account.pk, error)
        return False
    return True


def confirm(subscriber_pk: int, email: str) -> Subscriber | None:
    """The subscriber the link names, now confirmed (the consent is now), or None."""
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update().filter(pk=subscriber_pk, email=email).first()
        )
        if subscriber is None:
            return None
        if subscriber.status != Status.CONFIRMED:
            subscriber.status = Status.CONFIRMED
            subscriber.consent_at = timezone.now()
            subscriber.unsubscribed_at = None
            subscriber.bounced_at = None
            subscriber.soft_bounces = 0
            subscriber.save()
    return subscriber


def unsubscribe(subscriber_pk: int) -> Subscriber | None:
    """The subscriber off the list (again is harmless), or None for an unknown one."""
    Subscriber.objects.filter(pk=subscriber_pk).exclude(status=Status.UNSUBSCRIBED).update(
        status=Status.UNSUBSCRIBED, unsubscribed_at=timezone.now()
    )
    return Subscriber.objects.filter(pk=subscriber_pk).first()


@dataclass
class Imported:
    created: int = 0
    updated: int = 0
    #: (line, why) of each row left out: nothing of it was saved.
    bad: list[tuple[int, str]] = field(default_factory=list)


def _consent(value: str) -> datetime | None:
    value = value.strip()
    when = parse_datetime(value)
    if when is None:
        day = parse_date(value)
        when = datetime.combine(day, time(0), tzinfo=UTC) if day else None
    if when is not None and timezone.is_naive(when):
        when = when.replace(tzinfo=UTC)
    return when


def import_csv(account: Account, data: bytes) -> Imported:
    """Subscribers from a CSV with the columns ``email``, ``consent_date`` (ISO 8601: when
    the person agreed) and optionally ``name``. A known address is updated, never
    duplicated; an address that unsubscribed or bounced stays off the list. Bad rows are
    listed and change nothing."""
    result = Imported()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.bad.append((0, "The file is not UTF-8 text."))
        return result
    reader = csv.DictReader(io.StringIO(text))
    columns = {(c or "").strip().lower() for c in reader.fieldnames or []}
    missing = {"email", "consent_date"} - columns
    if missing:
        result.bad.append((1, "Missing column(s): " + ", ".join(sorted(missing)) + "."))
        return result
    seen: dict[str, int] = {}
    now = timezone.now()
    for number, raw in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            result.bad.append((number, f"Only {MAX_ROWS} rows are read at a time."))
            break
        row = {(k or "").strip().lower(): (v or "") for k, v in raw.items() if k}
        email = clean_email(row.get("email", ""))
        if email is None:
            result.bad.append((number, "Not an e-mail address."))
            continue
        if email in seen:
            result.bad.append((number, f"{email} is already on line {seen[email]}."))
            continue
        seen[email] = number
        consent = _consent(row.get("consent_date", ""))
        if consent is None:
            result.bad.append((number, "No consent date (YYYY-MM-DD)."))
            continue
        if consent > now:
            result.bad.append((number, "The consent date is in the future."))
            continue
        why = _import_one(account, email, row.get("name", "").strip()[:200], consent, result)
        if why:
            result.bad.append((number, why))
    return result


def _import_one(
    account: Account, email: str, name: str, consent: datetime, result: Imported
) -> str:
    try:
        with transaction.atomic():
            subscriber = (
                Subscriber.objects.select_for_update().filter(account=account, email=email).first()
            )
            if subscriber is None:
                Subscriber.objects.create(
                    workspace_id=account.workspace_id,
                    account=account,
                    email=email,
                    name=name,
                    status=Status.CONFIRMED,
                    source="import",
                    consent_at=consent,
                )
                result.created += 1
                return ""
            if subscriber.status in ENDED:
                return f"{email} {subscriber.get_status_display().lower()}: kept off the list."
            subscriber.name = name or subscriber.name
            subscriber.consent_at = consent
            subscriber.status = Status.CONFIRMED
            subscriber.save(update_fields=["name", "consent_at", "status"])
            result.updated += 1
            return ""
    except IntegrityError:  # the same address added by the form meanwhile
        return f"{email} was added meanwhile; import the file again to update it."
