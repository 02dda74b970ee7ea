from __future__ import annotations

from django.db import models

from harken.core.models import WorkspaceOwned


class Author(WorkspaceOwned):
    """An identity on one network, as seen by one workspace."""

    network = models.CharField(max_length=32)
    external_id = models.CharField(max_length=255)
    handle = models.CharField(max_length=255)
    name = models.CharField(max_length=255, blank=True)
    followers = models.PositiveIntegerField(null=True, blank=True)
    first_seen = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "external_id"], name="one_author_per_identity"
            )
        ]

    def __str__(self) -> str:
        return f"@{self.handle} on {self.network}"
