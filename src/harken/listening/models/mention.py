from __future__ import annotations

from django.db import models

from harken.core.models import Workspace, WorkspaceOwned


class Mention(WorkspaceOwned):
    """One inbound item with its enrichment. Its text is attacker-controlled: always escaped.

    (workspace, network, external_id) is unique: the ingest pipeline's dedupe key, which
    makes a repeated batch after a crash harmless.
    """

    class Sentiment(models.TextChoices):
        NEGATIVE = "negative", "Negative"
        NEUTRAL = "neutral", "Neutral"
        POSITIVE = "positive", "Positive"

    # No index of its own: the unique (workspace, network, external id) key leads with it and
    # serves every lookup by workspace. A second one cost every insert, and on a table whose
    # statistics lag behind an ingest PostgreSQL chose it over the key for per-id lookups.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    network = models.CharField(max_length=32)
    external_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=16, default="post")
    # Indexed with ``ingested`` (see Meta), which also serves every lookup by source.
    source = models.ForeignKey(
        "listening.Source",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentions",
        db_index=False,
    )
    # CASCADE, not PROTECT: deleting a workspace (or erasing a person on request) must take
    # their mentions along; PROTECT made the workspace's own cascade fail.
    author = models.ForeignKey(
        "listening.Author", on_delete=models.CASCADE, related_name="mentions"
    )
    text = models.TextField()
    url = models.URLField(max_length=2000, blank=True)
    posted = models.DateTimeField()  # indexed with the workspace: see Meta
    ingested = models.DateTimeField(auto_now_add=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    is_own = models.BooleanField(default=False, help_text="Written by the business (our answer).")
    # A review's stars, 1 to 5 (Google Business Profile); empty for everything else. A field,
    # not a prefix of the text, so the text stays the reviewer's words for search and analysis.
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    topics = models.ManyToManyField("listening.Topic", blank=True, related_name="mentions")
    # Enrichment (analysis app)
    language = models.CharField(max_length=8, blank=True)
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices, blank=True)
    sentiment_scores = models.JSONField(default=dict, blank=True)
    intents = models.JSONField(default=list, blank=True)
    key_phrases = models.JSONField(default=list, blank=True)
    priority = models.PositiveSmallIntegerField(default=0)
    priority_reasons = models.CharField(max_length=255, blank=True)
    # Near-duplicates (the same text cross-posted or re-shared) share a fingerprint.
    fingerprint = models.CharField(max_length=32, blank=True)
    # Indexed only where set (see Meta): most mentions are originals, and their NULL would
    # cost an index entry on every insert for a lookup that never asks for it.
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        db_index=False,
    )
    # Threading: the reply chain this mention belongs to (set by the ingest pipeline).
    conversation = models.ForeignKey(
        "inbox.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentions",
    )

    class Meta:
        ordering = ["-posted", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "external_id"], name="one_mention_per_item"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__range=(1, 5)),
                name="mention_rating_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "-posted"], name="mention_stream"),
            # Near-duplicate lookups: the same text in the workspace within a window.
            models.Index(fields=["workspace", "fingerprint", "posted"], name="mention_fingerprint"),
            # The Sources page's "last 24 h" per source: counted from the index alone. It
            # replaces the source's own index (the SET NULL of a deleted source uses it too).
            models.Index(fields=["source", "ingested"], name="mention_source_ingested"),
            # The inbox's private conversations (``inbox.filters.direct_ids``): direct
            # messages are few among the mentions, and the list's counts read them as a set
            # (without it, a probe of each conversation's messages: most of the page).
            models.Index(
                fields=["workspace", "conversation"],
                condition=models.Q(kind="message"),
                name="mention_direct",
            ),
            # A mention's re-shares, and SET NULL when an original is deleted.
            models.Index(
                fields=["duplicate_of"],
                condition=models.Q(duplicate_of__isnull=False),
                name="mention_duplicates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.network}:{self.external_id}"

    @property
    def stars(self) -> str:
        """The rating as five stars ("★★☆☆☆" for 2), empty for a mention without one."""
        rating = self.rating
        if not rating or not 1 <= rating <= 5:
            return ""
        return "★" * rating + "☆" * (5 - rating)

    @property
    def link(self) -> str:
        """The original's URL, only when it is http(s): never a javascript: or data: link."""
        url = self.url or ""
        return url if url.lower().startswith(("https://", "http://")) else ""
