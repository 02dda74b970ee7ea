from __future__ import annotations

from django.db import models

from harken.core.models import WorkspaceOwned


class Tag(WorkspaceOwned):
    """A word a team puts on conversations (``rush order``, ``bridal``); one per name."""

    name = models.CharField(max_length=48)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="one_tag_per_name")
        ]

    def __str__(self) -> str:
        return self.name


class ReplyRules(WorkspaceOwned):
    """What a reply may say without a manager: the words and phrases the workspace lists.

    The amounts a role may promise are the core's authority (``refund_limit``)."""

    DEFAULT_WORDS = "refund\ncompensation\nfree\nreimburse"

    words_needing_approval = models.TextField(default=DEFAULT_WORDS, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="one_reply_rules")]

    @property
    def words(self) -> list[str]:
        return [w.strip().lower() for w in self.words_needing_approval.splitlines() if w.strip()]
