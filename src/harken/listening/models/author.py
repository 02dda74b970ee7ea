from __future__ import annotations

from django.db import models

from harken.core.models import Workspace, WorkspaceOwned


class Author(WorkspaceOwned):
    """An identity on one network, as seen by one workspace."""

    # No index of its own: the unique (workspace, network, external id) key leads with it
    # (see Mention.workspace for why a second one hurts).
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
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
