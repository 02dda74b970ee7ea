from __future__ import annotations

from django.db import models

from harken.core.models import WorkspaceOwned


class Topic(WorkspaceOwned):
    """A listening query with a kind: what the business listens for."""

    class Kind(models.TextChoices):
        BRAND = "brand", "Brand"
        COMPETITOR = "competitor", "Competitor"
        INDUSTRY = "industry", "Industry"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.BRAND)
    query = models.TextField(
        help_text='Words, "exact phrases", #hashtags, @handles, OR, -excluded, lang:en'
    )
    enabled = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name
