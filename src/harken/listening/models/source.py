from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import models
from django.utils import timezone

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
    # Items the pipeline would not store (no author, no time…): the cursor moves past them,
    # so this is the only trace a person sees. Reason → count, of the last poll.
    last_skipped = models.JSONField(default=dict, blank=True)
    last_skipped_at = models.DateTimeField(null=True, blank=True)
    # Skipped items per hour ("2026-11-23T06" → count), the last 24 hours only.
    skipped_by_hour = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def last_skipped_count(self) -> int:
        return sum(self.last_skipped.values()) if self.last_skipped else 0

    @property
    def last_skipped_reasons(self) -> list[tuple[str, int]]:
        """(reason, count) of the last poll's skipped items, the most frequent first."""
        counts = self.last_skipped or {}
        return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))

    def skipped_since(self, moment: datetime) -> int:
        """Items skipped in the hours from ``moment``'s hour on (hour buckets)."""
        first = hour_key(moment)
        return sum(n for hour, n in (self.skipped_by_hour or {}).items() if hour >= first)

    @property
    def skipped_last_day(self) -> int:
        return self.skipped_since(timezone.now() - timedelta(hours=23))


def hour_key(moment: datetime) -> str:
    """The bucket of ``skipped_by_hour`` that ``moment`` falls in (UTC hours sort as text)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H")
