from __future__ import annotations

from django.conf import settings
from django.db import models

from harken.core.models import WorkspaceOwned


class SavedView(WorkspaceOwned):
    """A filter of the inbox list kept under a name: the owner's own, or shared with the
    workspace. ``filters`` holds the list's address parts (checked again on every use)."""

    name = models.CharField(max_length=60)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    shared = models.BooleanField(default=False)
    filters = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
