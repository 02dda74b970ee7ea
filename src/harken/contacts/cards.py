"""What the inbox's author card shows of a contact: one call, one query.

The inbox may call ``contact_cards`` for the authors on a page; contacts never needs the
inbox to know its tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from harken.contacts.models import Identity
from harken.core.models import Workspace


@dataclass(frozen=True)
class ContactCard:
    pk: int
    name: str
    status: str
    status_label: str
    segments: dict[str, Any]
    tags: list[str]
    notes: str
    url: str


def contact_cards(workspace: Workspace, author_ids: list[int]) -> dict[int, ContactCard]:
    """The contact of each of ``author_ids`` that has one, keyed by author id."""
    rows = Identity.objects.filter(
        workspace=workspace, author_id__in=author_ids, contact__merged_into=None
    ).select_related("contact")
    cards: dict[int, ContactCard] = {}
    for identity in rows:
        contact = identity.contact
        if identity.author_id is None:
            continue
        cards[identity.author_id] = ContactCard(
            pk=contact.pk,
            name=str(contact),
            status=contact.status,
            status_label=contact.get_status_display(),
            segments=contact.segments,
            tags=contact.tags,
            notes=contact.notes,
            url=reverse("contact_detail", args=[contact.pk]),
        )
    return cards
