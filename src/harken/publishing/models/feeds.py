"""Web feeds whose new items become draft posts (never published unseen)."""

from __future__ import annotations

from django.db import models

from harken.core.models import WorkspaceOwned


class DraftFeed(WorkspaceOwned):
    """A feed (the business's blog, a curated source) read for new items; each becomes a
    draft post with a draft variant per chosen account, for a person to edit and schedule."""

    url = models.URLField(max_length=500)
    accounts = models.ManyToManyField("networks.Account", blank=True, related_name="+")
    #: The feed connector's cursor: what was already read.
    cursor = models.TextField(blank=True)
    last_checked = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "url"], name="one_draft_feed_per_url")
        ]

    def __str__(self) -> str:
        return f"Draft feed {self.url}"
