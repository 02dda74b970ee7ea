from __future__ import annotations

from django.db import models

from harken.core.fields import EncryptedJSONField
from harken.core.models import WorkspaceOwned


class Account(WorkspaceOwned):
    """One connected profile or page on a network, with its encrypted credentials."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Connected"
        RECONNECT = "reconnect", "Reconnect needed"
        DISABLED = "disabled", "Disabled"

    network = models.CharField(max_length=32)
    handle = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, blank=True)
    config = EncryptedJSONField(default=dict, help_text="Tokens and settings, encrypted at rest.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    last_error = models.TextField(blank=True)
    last_synced = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["network", "handle"]

    def __str__(self) -> str:
        return f"{self.handle} on {self.network}"
