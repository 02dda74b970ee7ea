from __future__ import annotations

from django.db import models

from harken.core.models import WorkspaceOwned


class Source(WorkspaceOwned):
    """Somewhere Harken reads from: an account's mentions, a feed, a search, a firehose."""

    class Kind(models.TextChoices):
        ACCOUNT = "account", "Account mentions"
        FEED = "feed", "Web feed"
        SEARCH = "search", "Search"
        STREAM = "stream", "Live stream"
        IMPORT = "import", "File import"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    network = models.CharField(max_length=32)
    account = models.ForeignKey(
        "networks.Account", on_delete=models.CASCADE, null=True, blank=True, related_name="sources"
    )
    query = models.TextField(blank=True, help_text="The search query, for search sources.")
    url = models.URLField(max_length=2000, blank=True, help_text="The feed URL, for feeds.")
    cursor = models.TextField(blank=True, help_text="Where the next fetch resumes.")
    enabled = models.BooleanField(default=True)
    poll_interval = models.PositiveIntegerField(default=300, help_text="Seconds between polls.")
    next_poll = models.DateTimeField(null=True, blank=True, db_index=True)
    last_success = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
