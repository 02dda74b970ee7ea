from __future__ import annotations

from django.conf import settings
from django.db import models

from harken.core.models.workspace import Workspace


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MANAGER = "manager", "Manager"
    RESPONDER = "responder", "Responder"
    VIEWER = "viewer", "Viewer"

    @property
    def rank(self) -> int:
        return _RANK[self.value]

    def at_least(self, other: Role | str) -> bool:
        return self.rank >= _RANK[Role(other).value]


_RANK = {"viewer": 0, "responder": 1, "manager": 2, "owner": 3}


class Member(models.Model):
    """A user in a workspace, with one role there."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    created = models.DateTimeField(auto_now_add=True)
    #: When the member last chose this workspace: a new session opens the latest one.
    last_opened = models.DateTimeField(null=True, blank=True)
    #: Taking conversations now: round-robin assignment skips a member who is away.
    available = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")
        ]
        ordering = ["workspace__name"]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.workspace}"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def can(self, role: Role | str) -> bool:
        return self.role_enum.at_least(role)
