"""Webhook endpoints and their deliveries.

A delivery is one event for one endpoint: its id (``webhook-id``) is made when the event
is recorded and never changes, so every retry and every redelivery carries the same id
and a receiver that dedupes on it acts once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from harken.core.fields import EncryptedJSONField
from harken.core.models import Workspace

#: The events an endpoint can choose, with the words the settings page shows.
EVENTS = {
    "mention.stored": "A mention is stored (of the chosen topics)",
    "conversation.created": "A conversation starts",
    "conversation.assigned": "A conversation is assigned",
    "conversation.resolved": "A conversation is resolved",
    "reply.held": "A reply is held for approval",
    "reply.sent": "A reply is sent",
    "reply.failed": "A reply fails",
    "post.published": "A post is published",
    "post.failed": "A post fails",
    "campaign.cap_reached": "A campaign reaches its cap",
}


class Endpoint(models.Model):
    """A URL of the workspace's that receives the events it chose, signed with its secret."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list)
    #: For ``mention.stored``: only mentions of these topics (empty: every topic).
    topic_ids = models.JSONField(default=list, blank=True)
    #: ``whsec_`` and base64 of 24 random bytes, encrypted at rest.
    secret = EncryptedJSONField()
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    #: Failed attempts in a row, and when the first of them failed (a success resets both).
    failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["workspace", "enabled"])]

    def __str__(self) -> str:
        return self.description or self.url

    def wants(self, event: str) -> bool:
        return event in (self.events or [])


class Delivery(models.Model):
    """One event for one endpoint, and how its last attempt went."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Delivered"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    #: ``webhook-id``: unique, the same on every attempt.
    event_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(max_length=40)
    #: For events that happen once per thing (a campaign's cap): one delivery per key.
    key = models.CharField(max_length=120, blank=True)
    payload = models.JSONField()
    created = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    next_attempt = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt = models.DateTimeField(null=True, blank=True)
    #: The receiver's HTTP status (None: no answer), latency and the start of its body.
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "key"], condition=~Q(key=""), name="api_delivery_once_per_key"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt"]),
            models.Index(fields=["endpoint", "-created"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"
