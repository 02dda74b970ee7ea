from __future__ import annotations

from django.conf import settings
from django.db import models

from harken.core.models import Workspace, WorkspaceOwned
from harken.inbox.models.conversation import Conversation


class Presence(WorkspaceOwned):
    """A member looking at a conversation, and whether they are typing a reply in it: the
    collision warning ("Bob is viewing · Carol is typing"). One row per member and
    conversation, refreshed by the page's heartbeat; a row older than
    ``harken.inbox.presence.FRESH`` counts as gone. A table, not the cache: the default
    cache lives in one process, and two workers must see each other's members."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    typing = models.BooleanField(default=False)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="one_presence_per_member")
        ]
        indexes = [models.Index(fields=["seen_at"], name="presence_seen")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.conversation_id}{' typing' if self.typing else ''}"
