from __future__ import annotations

from django.conf import settings
from django.db import models

from harken.core.models import Workspace, WorkspaceOwned
from harken.inbox.models.conversation import Conversation
from harken.inbox.states import State
from harken.lib.timekeys import time_key


def new_key() -> str:
    """A time-based UUID (version 1, a random node instead of the machine's address), as
    hex: a network whose record keys are times (Bluesky's TIDs) derives the reply's key
    from it, the same on every try, so a send repeated after a crash posts once."""
    return time_key().hex


class Message(WorkspaceOwned):
    """Our side of a conversation: a reply to the network or an internal note (Chatwoot's
    Message, flattened). The customer's side are the conversation's mentions.

    Two guards from Chatwoot's SendOnChannelService, enforced by ``states.transition``: a
    note is never sent, and a message that has an ``external_id`` is never sent again.
    """

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    is_note = models.BooleanField(default=False)
    text = models.TextField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    #: The network id of the item answered (a mention of the conversation).
    in_reply_to = models.CharField(max_length=255, blank=True)
    account = models.ForeignKey(
        "networks.Account", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    external_id = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True, default=new_key)
    #: The reply form's one-time token: the same form posted twice (a double click, a
    #: browser re-post) finds this message instead of writing a second one.
    form_token = models.CharField(max_length=64, null=True, blank=True, default=None)
    error = models.TextField(blank=True, help_text="The network's own words, when it refused.")
    hold_reason = models.TextField(blank=True)
    review_comment = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "id"]
        indexes = [
            # The sweep of interrupted sends, and the inbox's "held" counts.
            models.Index(fields=["state", "claimed_at"], name="message_state"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"],
                condition=~models.Q(external_id=""),
                name="one_message_per_network_item",
            ),
            models.UniqueConstraint(
                fields=["workspace", "form_token"], name="one_message_per_form_token"
            ),
        ]

    def __str__(self) -> str:
        return f"{'note' if self.is_note else 'reply'} {self.pk} ({self.state})"

    @property
    def link(self) -> str:
        url = self.url or ""
        return url if url.lower().startswith(("https://", "http://")) else ""
