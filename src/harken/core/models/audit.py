from __future__ import annotations

from django.conf import settings
from django.db import models

from harken.core.models.workspace import Workspace


class AuditEntry(models.Model):
    """Who changed what, when. Written by the ``do_*`` functions, never edited."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="audit_entries", null=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=64)
    target = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target}"
