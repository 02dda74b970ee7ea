from __future__ import annotations

from django.db import models

from harken.core.fields import EncryptedJSONField
from harken.core.models.member import Member
from harken.core.models.workspace import WorkspaceOwned


class NotificationSettings(models.Model):
    """How one member wants to hear from Harken: an e-mail address, an ntfy topic for the
    phone, and the kinds of notification they switched off (``harken.core.notify.KINDS``)."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="notifications")
    #: Blank means the address of the member's user account.
    email = models.EmailField(blank=True)
    email_on = models.BooleanField(default=True)
    ntfy_server = models.URLField(max_length=500, blank=True)
    ntfy_topic = models.CharField(max_length=64, blank=True)
    #: {"token": ...} for a protected topic; encrypted like every other secret.
    ntfy_secrets = EncryptedJSONField(null=True, blank=True)
    #: The kinds this member opted out of, on every channel.
    off = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"notifications of {self.member_id}"

    @property
    def address(self) -> str:
        return self.email or self.member.user.email

    @property
    def ntfy_token(self) -> str:
        secrets: dict[str, object] = (
            self.ntfy_secrets if isinstance(self.ntfy_secrets, dict) else {}
        )
        return str(secrets.get("token") or "")


class Notification(WorkspaceOwned):
    """One thing a member was told. Unique per (member, kind, key): the key names the event
    (``conversation:12``), so telling a member twice about one event records nothing new."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)
    key = models.CharField(max_length=200)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    #: When the member opened or dismissed it in the app's bell (null: unread).
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind", "key"], name="one_notification_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.member_id}: {self.subject}"


class NotificationDelivery(models.Model):
    """A notification on its way by one channel. Pending until sent or failed for good; a
    worker claims it by moving ``next_attempt`` forward, so two never send the same row."""

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        NTFY = "ntfy", "Phone (ntfy)"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="one_delivery_per_channel"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt"], name="notification_due")]

    def __str__(self) -> str:
        return f"{self.channel} of {self.notification_id} ({self.status})"
