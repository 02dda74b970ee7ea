from __future__ import annotations

from django.conf import settings
from django.db import models

from harken.core.models import Workspace, WorkspaceOwned


class Conversation(WorkspaceOwned):
    """A thread in the inbox: a reply chain of mentions and our answers.

    ``root_external_id`` is the network's id of the chain's first known item (or of the
    missing parent the chain hangs from); unique per workspace and network, so threading a
    repeated batch finds the same conversation instead of opening a second one.

    The subject author is kept by value, not as a foreign key to ``listening.Author``:
    ``listening.Mention`` points here, and a key back would tie the two apps' migrations
    in a loop.
    """

    class Status(models.TextChoices):
        NEW = "new", "New"
        OPEN = "open", "Open"
        WAITING = "waiting", "Waiting on customer"
        RESOLVED = "resolved", "Resolved"

    # No index of its own: the unique key below starts with it. A second index on the
    # column alone looked as cheap to the planner as the key, and the ingest's lookup by
    # root then read a whole workspace for each id (EXPLAIN: up to 130 ms a batch).
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    network = models.CharField(max_length=32)
    root_external_id = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_conversations",
    )
    subject_external_id = models.CharField(max_length=255, blank=True)
    subject_handle = models.CharField(max_length=255, blank=True)
    first_message_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    #: Who wrote our first answer sent from Harken, and who resolved it: response and
    #: resolution times per member (``harken.inbox.sla.times_by_member``).
    first_responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_activity = models.DateTimeField(null=True, blank=True, db_index=True)
    created = models.DateTimeField(auto_now_add=True)
    # Triage, kept current by ``harken.inbox.priority.reprioritize`` (threading calls it,
    # and a queue task as time passes): the inbox orders and filters by stored columns.
    snoozed_until = models.DateTimeField(null=True, blank=True)
    tags = models.ManyToManyField("inbox.Tag", blank=True, related_name="conversations")
    # Database defaults too: threading inserts its rows by hand (``listening.bulk``).
    priority = models.PositiveSmallIntegerField(default=0, db_default=0)
    priority_reasons = models.CharField(max_length=255, blank=True, db_default="")
    #: The most pressing intent and the sentiment of the messages still unanswered.
    intent = models.CharField(max_length=24, blank=True, db_default="")
    sentiment = models.CharField(max_length=8, blank=True, db_default="")
    #: Since when the customer waits for us (their first message after our last answer).
    waiting_since = models.DateTimeField(null=True, blank=True)
    #: When our answer is due under the workspace's service level (``harken.inbox.sla``).
    due_at = models.DateTimeField(null=True, blank=True)
    #: The snoozes that paused the service-level clock: ``[[start, end], ...]`` as ISO
    #: times, the current one ending at ``snoozed_until`` until it ends early
    #: (``harken.inbox.sla.pause_open_seconds``); the last twenty are kept.
    sla_pauses = models.JSONField(null=True, blank=True)
    #: The due time whose breach was recorded (each missed due time is counted once).
    breached_due = models.DateTimeField(null=True, blank=True)
    #: When the assignment rules were applied (``harken.inbox.assignment``); null: not yet.
    routed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_activity", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "root_external_id"],
                name="one_conversation_per_root",
            )
        ]
        indexes = [
            # The inbox's default order, keyset-paginated: priority, then oldest id first
            # (at a tie, who came first is answered first).
            models.Index(fields=["workspace", "-priority", "id"], name="conversation_queue_fair"),
            # The views that owe an answer (new or open), in queue order: a narrow view
            # walks only these conversations, not the resolved ones too. The same columns
            # as the fair queue's (a longer index starting with them would be the trap the
            # test of this table guards against), kept to the rows owed an answer.
            models.Index(
                fields=["workspace", "-priority", "id"],
                condition=models.Q(status__in=["new", "open"]),
                name="conversation_needs_queue",
            ),
            # The list's live counts test every conversation of the workspace against every
            # view: each column a view or a saved view reads is here, so they are counted
            # from the index alone, never the table (10,000 rows a workspace at 1M mentions).
            models.Index(
                fields=[
                    "workspace",
                    "status",
                    "network",
                    "intent",
                    "sentiment",
                    "assignee",
                    "snoozed_until",
                    "due_at",
                    "last_activity",
                    "id",
                ],
                name="conversation_counts",
            ),
            # A person's earlier conversations (the author card), by network and author.
            models.Index(
                fields=["workspace", "network", "subject_external_id"],
                name="conversation_subject",
            ),
            # The "SLA at risk" view and the warning task read by due time.
            models.Index(fields=["workspace", "due_at"], name="conversation_due"),
            # The router's sweep of conversations no rule has seen yet.
            models.Index(
                fields=["routed_at"],
                condition=models.Q(routed_at__isnull=True),
                name="conversation_unrouted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.network}:{self.root_external_id}"

    @property
    def needs_reply(self) -> bool:
        return self.status in (self.Status.NEW, self.Status.OPEN)

    @property
    def first_response_seconds(self) -> float | None:
        """Seconds from the customer's first message to our first answer, if answered."""
        if self.first_message_at is None or self.first_response_at is None:
            return None
        return (self.first_response_at - self.first_message_at).total_seconds()
