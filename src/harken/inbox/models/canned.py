from __future__ import annotations

from django.conf import settings
from django.db import models

from harken.core.models import WorkspaceOwned


class CannedReply(WorkspaceOwned):
    """A reply a team writes once and sends often, found from the reply box by typing
    ``/`` and its name. ``{first_name}``, ``{handle}``, ``{agent}`` and ``{business}`` in
    its text are filled in for the conversation (``harken.inbox.canned.fill``)."""

    name = models.CharField(max_length=60)
    text = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="one_canned_reply_per_name")
        ]

    def __str__(self) -> str:
        return self.name
