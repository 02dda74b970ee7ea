"""The conversation page's side card: who is writing, as the contacts app knows them, and
what came of their earlier conversations on every network their contact joins.

Contacts are read through ``harken.contacts.cards`` (one call); the earlier conversations
in one query, each with its first message's words and its outcome in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, Q, Subquery

from harken.analysis.priority import duration
from harken.contacts.cards import ContactCard, contact_cards
from harken.core.access import WorkspaceRequest, scoped
from harken.inbox.models import Conversation
from harken.listening.models import Author, Mention
from harken.networks.registry import network_label

#: Earlier conversations shown on the card (the contact's page lists them all).
PREVIOUS = 5
Status = Conversation.Status


@dataclass(frozen=True)
class Earlier:
    """One earlier conversation: where, when, how it began and how it ended."""

    pk: int
    network_label: str
    last_activity: datetime | None
    first_words: str
    outcome: str


def outcome(conversation: Conversation) -> str:
    """What came of a conversation, in words: "resolved · answered in 2 h"."""
    parts = [conversation.get_status_display().lower()]
    seconds = conversation.first_response_seconds
    if seconds is not None:
        parts.append(f"answered in {duration(seconds)}" if seconds >= 60 else "answered at once")
    elif conversation.status == Status.RESOLVED:
        parts.append("closed without our answer")
    else:
        parts.append("not answered yet")
    return " · ".join(parts)


def _first_words() -> Subquery:
    first = Mention.objects.filter(conversation=OuterRef("pk"), is_own=False).order_by(
        "posted", "id"
    )
    return Subquery(first.values("text")[:1])


def earlier(
    request: WorkspaceRequest, conversation: Conversation, people: list[tuple[str, str]]
) -> list[Earlier]:
    """The latest conversations of ``people`` ((network, external id) pairs) but this one."""
    if not people:
        return []
    whose = Q()
    for network, external_id in people:
        whose |= Q(network=network, subject_external_id=external_id)
    rows = (
        scoped(request, Conversation)
        .filter(whose)
        .exclude(pk=conversation.pk)
        .annotate(first_words=_first_words())
        .order_by("-last_activity", "-id")[:PREVIOUS]
    )
    return [
        Earlier(
            pk=row.pk,
            network_label=network_label(row.network),
            last_activity=row.last_activity,
            first_words=(row.first_words or "")[:140],  # type: ignore[attr-defined]
            outcome=outcome(row),
        )
        for row in rows
    ]


def card_context(
    request: WorkspaceRequest, conversation: Conversation, subject: Author | None
) -> dict[str, Any]:
    """``contact`` (a ``ContactCard`` or None) and ``previous`` for the page."""
    contact: ContactCard | None = None
    people: list[tuple[str, str]] = []
    if subject is not None:
        contact = contact_cards(request.workspace, [subject.pk]).get(subject.pk)
        people = [(subject.network, subject.external_id)]
    if contact is not None:
        people += [(i.network, i.external_id) for i in contact.identities if i.external_id]
    return {"contact": contact, "previous": earlier(request, conversation, sorted(set(people)))}
