"""Alert rules, where they send, and the record of what was sent.

The same event never alerts twice: ``AlertEvent`` is unique on (rule, key), a key such as
``mention:<id>`` or ``spike:<topic>:<hour>``, and ``Delivery`` is unique on (event,
destination) and (digest, destination). A batch ingested twice finds its events already
there and sends nothing new.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from harken.core.fields import EncryptedJSONField
from harken.core.models import WorkspaceOwned


class AlertRule(WorkspaceOwned):
    """A condition on incoming mentions and how its alerts are delivered."""

    class Kind(models.TextChoices):
        TOPIC = "topic", "A topic is mentioned"
        INTENT = "intent", "An intent (complaint, question…)"
        INFLUENCER = "influencer", "Negative mention from an author with many followers"
        SPIKE = "spike", "Volume spike"
        SURGE = "surge", "Negative surge"

    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", "Immediately"
        HOURLY = "hourly", "Hourly digest"
        DAILY = "daily", "Daily digest"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # RESTRICT, not CASCADE: deleting a topic must not take its rules, their history and
    # their unsent alerts along unasked (see topics.do_delete_topic); a workspace's own
    # delete still takes both.
    topic = models.ForeignKey(
        "listening.Topic",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="alert_rules",
        help_text="Only mentions of this topic (required for “a topic is mentioned”).",
    )
    params = models.JSONField(default=dict, blank=True, help_text="Thresholds, by kind.")
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.IMMEDIATE)
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    urgent = models.BooleanField(
        default=False, help_text="Sent immediately even during quiet hours."
    )
    enabled = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from harken.listening.alerts.params import clean_params

        try:
            self.params = clean_params(self.kind, self.params)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        if self.kind == self.Kind.TOPIC and self.topic_id is None:
            raise ValidationError({"topic": "Choose the topic to watch."})
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValidationError({"quiet_end": "Give both the start and the end of quiet hours."})

    @property
    def has_quiet_hours(self) -> bool:
        return self.quiet_start is not None and self.quiet_end is not None


class AlertDestination(WorkspaceOwned):
    """One place a rule sends to. ``secrets`` (webhook URL, ntfy token) is encrypted."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        WEBHOOK = "webhook", "Webhook"
        NTFY = "ntfy", "Push (ntfy)"

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="destinations")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # email: {"addresses": [...]}; webhook: {"format": plain|slack|discord, "host": ...};
    # ntfy: {"server": ..., "topic": ..., "priority": 1-5, "tags": [...]}
    config = models.JSONField(default=dict, blank=True)
    # webhook: {"url": ...} (Slack and Discord URLs are credentials); ntfy: {"token": ...}
    secrets = EncryptedJSONField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.rule_id}"

    @property
    def label(self) -> str:
        """What the destination is, without its secrets."""
        if self.kind == self.Kind.EMAIL:
            return ", ".join(self.config.get("addresses", []))
        if self.kind == self.Kind.WEBHOOK:
            return f"{self.config.get('format', 'plain')} webhook to {self.config.get('host', '?')}"
        return f"ntfy {self.config.get('server', '')}/{self.config.get('topic', '')}"


class AlertDigest(WorkspaceOwned):
    """Several held events of one rule, sent together (digest mode, or after quiet hours)."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="digests")
    created = models.DateTimeField()

    class Meta:
        ordering = ["-created", "-id"]


class AlertEvent(WorkspaceOwned):
    """One thing a rule noticed. Its title and text are snapshots, so they are escaped."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="events")
    key = models.CharField(max_length=200)
    mention = models.ForeignKey(
        "listening.Mention", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True)
    url = models.URLField(max_length=2000, blank=True)
    created = models.DateTimeField()
    # Held for a digest until ``release_at``; ``digest`` is set when it is grouped.
    held = models.BooleanField(default=False)
    release_at = models.DateTimeField(null=True, blank=True, db_index=True)
    digest = models.ForeignKey(
        AlertDigest, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "key"], name="one_alert_event_per_key")
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(WorkspaceOwned):
    """Sending one event or digest to one destination, retried with backoff until it goes."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    destination = models.ForeignKey(
        AlertDestination, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        AlertEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    digest = models.ForeignKey(
        AlertDigest, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event", "destination"], name="one_delivery_per_event"),
            models.UniqueConstraint(
                fields=["digest", "destination"], name="one_delivery_per_digest"
            ),
            models.CheckConstraint(
                condition=(Q(event__isnull=False) & Q(digest__isnull=True))
                | (Q(event__isnull=True) & Q(digest__isnull=False)),
                name="delivery_of_event_or_digest",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt"], name="delivery_due")]

    def __str__(self) -> str:
        return f"delivery {self.pk} ({self.status})"
