"""Posts and their variants: one Post, one Variant per chosen Account."""

from __future__ import annotations

import uuid

from django.db import models

from harken.core.models import WorkspaceOwned
from harken.lib.timekeys import time_key
from harken.publishing.states import State


class Stage(models.TextChoices):
    """Where the reader is on the buyer's journey."""

    AWARENESS = "awareness", "Awareness"
    CONSIDERATION = "consideration", "Consideration"
    DECISION = "decision", "Decision"


class Category(models.TextChoices):
    """What kind of value a post offers (the seeds' "create service and value")."""

    EDUCATIONAL = "educational", "Educational"
    BEHIND_THE_SCENES = "behind_the_scenes", "Behind the scenes"
    QUESTION = "question", "Question to the community"
    SURVEY = "survey", "Survey"
    PROMOTION = "promotion", "Promotion"
    OFFER = "offer", "Offer"
    CURATED = "curated", "Curated"
    EVENT = "event", "Event"
    JOB_OPENING = "job_opening", "Job opening"
    HUMOUR = "humour", "Humour"


def new_idempotency_key() -> uuid.UUID:
    """A time-based key: a network that wants time-ordered record keys (Bluesky's TIDs)
    derives one from the key alone, the same one on every retry."""
    return time_key()


class Post(WorkspaceOwned):
    """What the business wants to say, once; its variants say it on each account."""

    persona = models.CharField(max_length=120, blank=True)
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.AWARENESS)
    category = models.CharField(
        max_length=24, choices=Category.choices, default=Category.EDUCATIONAL
    )
    sponsored = models.BooleanField(default=False)
    #: The composer's shared text, which seeded each variant's (kept to edit the post).
    text = models.TextField(blank=True)
    #: The feed item a draft came from (its link), so a feed item becomes one draft once.
    source_url = models.URLField(max_length=500, blank=True)
    author = models.ForeignKey(
        "core.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: The campaign the post serves: its tracked links carry the campaign (its slug as
    #: ``utm_campaign``) and the campaign's page lists it.
    campaign = models.ForeignKey(
        "publishing.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            # A feed item becomes one draft, however often the feed is read.
            models.UniqueConstraint(
                fields=["workspace", "source_url"],
                condition=~models.Q(source_url=""),
                name="one_post_per_source",
            )
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} ({self.get_category_display()})"


class Variant(WorkspaceOwned):
    """The post as tailored for one Account, and where it is on its way out.

    ``state`` is the job's state: the scheduler claims a row by moving it scheduled →
    publishing (see ``states.transition``); ``claimed_at`` says when, so a row left in
    publishing by a crash is found and reconciled with the network."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="variants")
    account = models.ForeignKey("networks.Account", on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    scheduled_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    idempotency_key = models.UUIDField(default=new_idempotency_key, unique=True, editable=False)
    external_id = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    #: Guideline rules a person chose to override for this variant (their reasons are
    #: in the audit log); the gate skips them at scheduling and at publishing.
    overrides = models.JSONField(default=list, blank=True)
    #: Posted right after the post, as its reply (where the network takes replies).
    first_comment = models.TextField(blank=True)
    #: Split a text too long for one post into a thread of replies, at sentence ends.
    thread = models.BooleanField(default=False)
    #: Number the thread's parts ("1/3").
    numbered = models.BooleanField(default=True)
    #: The network's ids of the replies already posted (thread parts, then the first
    #: comment), in order: a retry or a reconciliation skips what is here.
    parts = models.JSONField(default=list, blank=True)
    media = models.ManyToManyField("publishing.Media", blank=True, related_name="variants")
    #: The network's own fields of the post besides its text (its connector's
    #: ``post_fields``: Reddit's title and subreddit), passed to ``publish`` by name.
    post_options = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["scheduled_at", "pk"]
        indexes = [models.Index(fields=["state", "scheduled_at"], name="variant_due")]

    def __str__(self) -> str:
        return f"Variant {self.pk} for account {self.account_id} ({self.state})"


class Guidelines(models.Model):
    """A workspace's guideline rules, as data over the defaults (``guidelines.Rules``)."""

    workspace = models.OneToOneField(
        "core.Workspace", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    rules = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"Guidelines of workspace {self.workspace_id}"
