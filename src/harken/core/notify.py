"""Telling a member something: ``notify(member, kind, subject, body, url, about=...)``.

A notification is a row, unique per (member, kind, event key): telling a member twice
about one event (an assignment, an SLA about to breach) records and sends nothing new.
Each channel the member switched on (e-mail, ntfy push) gets a delivery row that the
queue sends after the transaction commits and retries with backoff
(``harken.core.notify_delivery``).

Any app may notify; the kinds a member can switch off are listed here, so the settings
page names them all. An app that needs a new kind registers it with ``register_kind``.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from harken.core.models import Member, Notification, NotificationDelivery, NotificationSettings


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    #: ntfy's priority (1 min – 5 max): what wakes a phone is urgent.
    priority: int = 3
    #: Listed on the settings page, where a member can switch it off.
    listed: bool = True


KINDS: dict[str, Kind] = {}


def register_kind(key: str, label: str, priority: int = 3, listed: bool = True) -> Kind:
    """Make ``key`` a kind members can receive and switch off (idempotent)."""
    return KINDS.setdefault(key, Kind(key, label, priority, listed))


ASSIGNED = register_kind("assigned", "A conversation is assigned to me", 4).key
HIGH_PRIORITY = register_kind("high_priority", "A new high-priority conversation", 4).key
SLA_AT_RISK = register_kind("sla_at_risk", "A conversation is about to miss its SLA", 5).key
HELD_REPLY = register_kind("held_reply", "A reply is held for approval", 4).key
MENTIONED = register_kind("mentioned", "A teammate mentions me in a note", 3).key
#: What the settings page's "Send a test" sends: never switched off, never deduplicated.
TEST = register_kind("test", "A test I asked for", 3, listed=False).key


def settings_for(member: Member) -> NotificationSettings:
    """The member's settings row, created with the defaults (e-mail on) when missing."""
    found, _ = NotificationSettings.objects.get_or_create(member=member)
    return found


def event_key(about: models.Model | str | None, subject: str, url: str) -> str:
    """The event's name: a row (``inbox.conversation:12``), a given string, or a hash of
    what is said (the same words about the same link are one event)."""
    if isinstance(about, models.Model):
        return f"{about._meta.label_lower}:{about.pk}"
    if about:
        return str(about)[:200]
    return "text:" + hashlib.sha256(f"{subject}\0{url}".encode()).hexdigest()[:40]


def notify(
    member: Member,
    kind: str,
    subject: str,
    body: str = "",
    url: str | None = None,
    *,
    about: models.Model | str | None = None,
) -> Notification | None:
    """Record ``subject`` for ``member`` and queue its delivery on the member's channels.

    Returns the new notification, or None when this event was already notified (nothing
    is sent again). ``url`` is a path in Harken (``/inbox/12/``); messages carry it whole.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}; register it first.")
    key = event_key(about, subject, url or "")
    try:
        with transaction.atomic():
            made = Notification.objects.create(
                workspace_id=member.workspace_id,
                member=member,
                kind=kind,
                key=key,
                subject=" ".join(subject.split())[:200],
                body=body,
                url=_path(url),
            )
    except IntegrityError:  # the same event, told before (or by another worker just now)
        return None
    channels = channels_for(member, kind)
    now = timezone.now()
    NotificationDelivery.objects.bulk_create(
        [NotificationDelivery(notification=made, channel=c, next_attempt=now) for c in channels]
    )
    if channels:
        transaction.on_commit(lambda: _enqueue(made.pk))
    return made


def send_test(member: Member) -> Notification | None:
    """A test through every channel the member set, to check the phone and the inbox."""
    return notify(
        member,
        TEST,
        "Test notification from Harken",
        "This is how Harken will tell you about your conversations.",
        "/settings/notifications/",
        about=f"test:{uuid.uuid4().hex}",
    )


def _path(url: str | None) -> str:
    """Only a path inside Harken is kept: the page shows it as a link."""
    url = url or ""
    return url[:500] if url.startswith("/") and not url.startswith("//") else ""


def channels_for(member: Member, kind: str) -> list[str]:
    """The channels ``member`` hears ``kind`` on: none when they switched the kind off."""
    chosen = settings_for(member)
    if kind in (chosen.off or []) and KINDS[kind].listed:
        return []
    channels = []
    if chosen.email_on and chosen.address:
        channels.append(NotificationDelivery.Channel.EMAIL.value)
    if chosen.ntfy_server and chosen.ntfy_topic:
        channels.append(NotificationDelivery.Channel.NTFY.value)
    return channels


def _enqueue(pk: int) -> None:
    from harken.core.tasks import send_notification

    send_notification(pk)
