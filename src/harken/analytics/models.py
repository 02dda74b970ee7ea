"""The analytics app's rows: daily rollups the queue keeps current, and account snapshots.

Pages read these, never the mention table: a 90-day dashboard sums a few thousand rollup
rows instead of counting a million mentions per request (see ``harken.analytics.rollups``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from harken.core.models import Workspace, WorkspaceOwned

#: ``Tally.topic`` for "every mention, whatever topic it matched" (counted once).
ALL_TOPICS = 0
#: ``Tally.account`` for "every mention, whichever source found it" (counted once).
ALL_ACCOUNTS = 0


class Tally(WorkspaceOwned):
    """How many mentions of one day, network and topic had one value of one dimension.

    ``dimension`` is "all" (key ""), "sentiment", "intent", "language", "phrase" or "author"
    (key: the author's id); ``reach`` sums the authors' followers, ``positive`` and
    ``negative`` count the rows' sentiments, so any dimension splits by sentiment too.
    A mention that matched two topics counts once under ``ALL_TOPICS`` and once per topic,
    in every dimension but "post" (``ALL_TOPICS`` only). Likewise a mention that one of
    our accounts' sources found (someone mentioning the account) counts once more under
    that ``account``; under ``ALL_ACCOUNTS`` every mention counts. Phrases and authors
    keep only each day's busiest (``rollups.KEEP``) per network, topic and account.
    """

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField(help_text="In the workspace's time zone.")
    network = models.CharField(max_length=32)
    topic = models.PositiveIntegerField(default=ALL_TOPICS)
    account = models.PositiveIntegerField(
        default=ALL_ACCOUNTS, help_text="Our account whose source found the mentions."
    )
    dimension = models.CharField(max_length=16)
    key = models.CharField(max_length=255, blank=True)
    count = models.PositiveIntegerField(default=0)
    reach = models.BigIntegerField(default=0)
    positive = models.PositiveIntegerField(default=0)
    negative = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["workspace", "dimension", "topic", "account", "day"], name="tally_read"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.network} {self.dimension}={self.key}: {self.count}"


class ResponseDay(WorkspaceOwned):
    """The conversations that began on one day, per network, intent, assignee, topic and
    account, with the seconds to our first answer and to resolution as histograms of fixed
    log-spaced buckets (``figures.durations``): medians do not add up, histograms do, so a
    period reads a row per day and group however many conversations it held.

    Like ``Tally``, a conversation counts once under ``ALL_TOPICS`` and once per topic its
    first customer mention matched: a reader picks one topic (or ``ALL_TOPICS``), never
    sums both."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    network = models.CharField(max_length=32)
    intent = models.CharField(max_length=24, blank=True)
    assignee = models.PositiveIntegerField(default=0, help_text="User id; 0: nobody.")
    topic = models.PositiveIntegerField(default=ALL_TOPICS)
    account = models.PositiveIntegerField(
        default=0,
        help_text="Our account the conversation arrived through (its first customer "
        "mention's source); 0: none, e.g. a keyword search.",
    )
    conversations = models.PositiveIntegerField(default=0)
    first_response = models.BinaryField(default=b"", help_text="A ``Durations``' bytes.")
    resolution = models.BinaryField(default=b"", help_text="A ``Durations``' bytes.")

    class Meta:
        # The topic after the day: a page reads one topic's rows of a range of days (the
        # others' skipped in the index, never read), a day's roll-up deletes them all.
        indexes = [models.Index(fields=["workspace", "day", "topic"], name="responseday_read")]

    def __str__(self) -> str:
        return f"{self.day} {self.network} {self.intent}: {self.conversations}"


class AccountSnapshot(WorkspaceOwned):
    """An account's counts on one day, from its connector's ``metrics()``."""

    account = models.ForeignKey("networks.Account", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    followers = models.PositiveIntegerField(null=True, blank=True)
    following = models.PositiveIntegerField(null=True, blank=True)
    posts = models.PositiveIntegerField(null=True, blank=True)
    taken = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="one_snapshot_per_day")
        ]
        indexes = [models.Index(fields=["workspace", "day"], name="snapshot_read")]

    def __str__(self) -> str:
        return f"{self.account_id} on {self.day}: {self.followers} followers"


class PostMetric(WorkspaceOwned):
    """One published post's counts on one day, from its connector's ``post_metrics()``.

    Networks give today's lifetime counts only, so the history is what Harken wrote down
    each day. ``latest`` marks each post's newest row (the one the figures read), and
    the post's network, account and publishing time are copied here so a page reads
    one indexed range of this table, never a join through the posts."""

    variant = models.ForeignKey(
        "publishing.Variant", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    account = models.ForeignKey(
        "networks.Account", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    network = models.CharField(max_length=32)
    published = models.DateTimeField()
    day = models.DateField(help_text="In the workspace's time zone.")
    likes = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    shares = models.PositiveIntegerField(default=0)
    impressions = models.PositiveIntegerField(null=True, blank=True)
    reach = models.PositiveIntegerField(null=True, blank=True)
    latest = models.BooleanField(default=True)
    taken = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variant", "day"], name="one_post_metric_per_day")
        ]
        indexes = [
            models.Index(fields=["workspace", "latest", "published"], name="postmetric_read")
        ]

    def __str__(self) -> str:
        return f"variant {self.variant_id} on {self.day}: {self.engagement} engagements"

    @property
    def engagement(self) -> int:
        return self.likes + self.comments + self.shares


class RollupState(models.Model):
    """How far the rollups of a workspace have got: the last mention rolled up, the last
    conversation change, and the progress of a back-fill (shown as a progress bar)."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    mention_id = models.BigIntegerField(default=0)
    conversations_at = models.DateTimeField(null=True, blank=True)
    days_total = models.PositiveIntegerField(default=0)
    days_done = models.PositiveIntegerField(default=0)
    #: The ``rollups.FORMAT`` the rows were written in: an older one is rolled up again.
    format = models.PositiveSmallIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"rollups of workspace {self.workspace_id} up to mention {self.mention_id}"

    @property
    def busy(self) -> bool:
        return self.days_done < self.days_total


class CustomerBase(WorkspaceOwned):
    """The business's own customers, as shares of one segment dimension ("age band":
    "25-34" is 30 %), entered by a manager: what the voice of the typical customer is
    weighted to. Without rows for a dimension, the imported contacts stand in."""

    dimension = models.CharField(max_length=60)
    segment = models.CharField(max_length=200)
    share = models.FloatField(help_text="Per cent of the customer base.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "dimension", "segment"], name="one_share_per_segment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dimension}={self.segment}: {self.share} %"


class ReportSchedule(models.Model):
    """How often the workspace's report is e-mailed, and the members who asked for it."""

    class Cadence(models.TextChoices):
        OFF = "off", "Off"
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    cadence = models.CharField(max_length=8, choices=Cadence.choices, default=Cadence.OFF)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    def __str__(self) -> str:
        return f"report of workspace {self.workspace_id}: {self.cadence}"


class ReportSent(WorkspaceOwned):
    """One scheduled report that went out: the unique period makes the queue's send
    happen once, however often the periodic task runs."""

    cadence = models.CharField(max_length=8)
    first = models.DateField()
    last = models.DateField()
    recipients = models.PositiveIntegerField(default=0)
    sent = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "cadence", "first"], name="one_report_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cadence} report {self.first}–{self.last}"
