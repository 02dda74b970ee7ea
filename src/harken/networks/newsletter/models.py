"""The newsletter's own rows: its subscribers, one send row per subscriber and issue, and
the replies read by IMAP (what answering one needs).

They live in the network's folder, not in ``harken/networks/models/``, so that the next
network with storage of its own also touches only its folder: ``networks/models``
imports each registered package's ``models`` module when it has one, and Django files
them under the ``networks`` app (the app whose package holds this module), with the
migrations in ``networks/migrations``.
"""

from __future__ import annotations

from django.db import models

from harken.core.models import WorkspaceOwned
from harken.networks.models.account import Account


class NewsletterSubscriber(WorkspaceOwned):
    """One address on a list. ``pending`` until the confirmation link is followed (or
    imported with a consent date); never mailed again once unsubscribed or bounced."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting confirmation"
        CONFIRMED = "confirmed", "Subscribed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Bounced"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    #: Lower-cased, so one person is one row whatever case they typed.
    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    source = models.CharField(max_length=16, default="form")  # "form" or "import"
    #: When the person agreed to receive the list (the form's confirmation, or the
    #: imported consent date): what a regulator asks for.
    consent_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    bounce_reason = models.CharField(max_length=500, blank=True)
    soft_bounces = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "email"], name="newsletter_one_address")
        ]
        indexes = [models.Index(fields=["account", "status"], name="newsletter_sub_status")]

    def __str__(self) -> str:
        return self.email


class NewsletterSend(models.Model):
    """One issue (a published variant's idempotency key) to one subscriber: created
    ``queued``, claimed ``sending`` by one atomic update just before the SMTP call, then
    ``sent``, ``bounced`` (refused for good), ``failed`` (refused for now, counted as a
    soft bounce) or ``unknown`` (a crash came between the SMTP call and its record: never
    sent again, so nobody gets an issue twice)."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        BOUNCED = "bounced", "Bounced"
        FAILED = "failed", "Failed"
        UNKNOWN = "unknown", "Unknown (cut short)"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    subscriber = models.ForeignKey(
        NewsletterSubscriber, on_delete=models.CASCADE, related_name="sends"
    )
    issue = models.CharField(max_length=64)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "issue"], name="newsletter_send_once")
        ]
        indexes = [models.Index(fields=["account", "issue", "state"], name="newsletter_send_state")]

    def __str__(self) -> str:
        return f"{self.issue} to {self.subscriber_id}: {self.state}"


class NewsletterInbound(models.Model):
    """A reply read by IMAP: whom to answer and how to thread the answer."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    message_id = models.CharField(max_length=255)
    sender = models.EmailField(max_length=254)
    subject = models.CharField(max_length=500, blank=True)
    references = models.TextField(blank=True)
    received = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "message_id"], name="newsletter_inbound_once"
            )
        ]

    def __str__(self) -> str:
        return self.message_id
