"""The content calendar's rows: where the workspace is (for its holidays), the business's
own events, recurring series and their occurrences, queue slots, and feed tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models

from harken.core.models import WorkspaceOwned
from harken.publishing.models.posts import Category


class CalendarSettings(models.Model):
    """Which public holidays the workspace's calendar shows: a country (ISO 3166 alpha-2)
    and, optionally, a region of it (a state, province or county code)."""

    workspace = models.OneToOneField(
        "core.Workspace", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    country = models.CharField(max_length=2, blank=True)
    subdivision = models.CharField(max_length=10, blank=True)
    show_seasons = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"Calendar settings of workspace {self.workspace_id}"


class Event(WorkspaceOwned):
    """A date of the business's own: a vendor's promotion, an anniversary, a sale."""

    title = models.CharField(max_length=200)
    starts = models.DateField()
    #: The last day, for an event over several days (inclusive); null for one day.
    ends = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    #: Days before ``starts`` to remind the workspace's planners; null for no reminder.
    remind_days = models.PositiveSmallIntegerField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def last_day(self):  # type: ignore[no-untyped-def]
        return self.ends or self.starts


class Series(WorkspaceOwned):
    """A post that recurs, as an iCalendar RRULE from ``starts`` (in the workspace's zone):
    a weekly online-only special, a monthly newsletter. Its occurrences are materialised
    as posts ahead of time (``calendar.series.materialise``)."""

    title = models.CharField(max_length=200)
    rrule = models.CharField(
        max_length=500, help_text="An iCalendar RRULE, e.g. FREQ=WEEKLY;BYDAY=WE"
    )
    #: The first occurrence. The rule repeats its wall-clock time in the workspace's zone,
    #: so a 10:00 special stays at 10:00 across daylight-saving changes.
    starts = models.DateTimeField()
    text = models.TextField()
    category = models.CharField(max_length=24, choices=Category.choices, default=Category.PROMOTION)
    accounts = models.ManyToManyField("networks.Account", related_name="+")
    until = models.DateField(null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    author = models.ForeignKey(
        "core.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class Occurrence(models.Model):
    """One occurrence of a series, materialised as a post (one variant per account).
    Unique per series and time, so materialising twice makes nothing twice. A person who
    edits the occurrence's post detaches it: editing the series leaves it alone."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="occurrences")
    at = models.DateTimeField()
    post = models.OneToOneField(
        "publishing.Post", on_delete=models.CASCADE, related_name="occurrence"
    )
    detached = models.BooleanField(default=False)

    class Meta:
        ordering = ["at"]
        constraints = [
            models.UniqueConstraint(fields=["series", "at"], name="one_occurrence_per_time")
        ]

    def __str__(self) -> str:
        return f"{self.series} at {self.at:%Y-%m-%d %H:%M}"


class QueueSlot(WorkspaceOwned):
    """A weekly time at which an account's queue publishes (local to the workspace)."""

    account = models.ForeignKey("networks.Account", on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(help_text="0 is Monday, 6 is Sunday.")
    time = models.TimeField()

    class Meta:
        ordering = ["account", "weekday", "time"]
        constraints = [
            models.UniqueConstraint(fields=["account", "weekday", "time"], name="one_slot_per_time")
        ]

    def __str__(self) -> str:
        return f"Slot {self.weekday} {self.time:%H:%M} of account {self.account_id}"


def hash_feed_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class FeedToken(models.Model):
    """A member's private iCalendar feed: the URL holds the token, the row its hash.
    Revoking deletes the row; a new one makes a new URL."""

    member = models.OneToOneField("core.Member", on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Feed token of member {self.member_id}"

    @classmethod
    def issue(cls, member: models.Model) -> str:
        """A new token for ``member`` (replacing any older one); returns the token itself,
        which is shown once and never stored."""
        token = secrets.token_urlsafe(24)
        cls.objects.update_or_create(member=member, defaults={"token_hash": hash_feed_token(token)})
        return token
