from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from harken.core.models import WorkspaceOwned


class WorkspaceAdjustment(WorkspaceOwned):
    """A per-workspace layer fitted on the team's corrections, on top of the shipped model.

    ``weights`` holds what ``harken.analysis.adjust`` fitted (JSON, no code); ``before``
    and ``after`` the figures on the corrections that a manager reads before switching it
    on. At most one adjustment per workspace is active.
    """

    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    corrections = models.PositiveIntegerField(default=0)
    weights = models.JSONField(default=dict)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    active = models.BooleanField(default=False)
    activated = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace"], condition=Q(active=True), name="one_active_adjustment"
            )
        ]

    def __str__(self) -> str:
        state = "active" if self.active else "inactive"
        return f"adjustment {self.pk} ({state}, {self.corrections} corrections)"
