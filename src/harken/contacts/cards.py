"""What the inbox's author card shows of a contact: one call, two queries (the identities,
then each contact's identities on every network).

The inbox may call ``contact_cards`` for the authors on a page; contacts never needs the
inbox to know its tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.urls import reverse

from harken.contacts.models import Identity
from harken.core.models import Workspace
from harken.networks.registry import network_label


@dataclass(frozen=True)
class Handle:
    """One of the contact's identities: where the inbox finds their other conversations."""

    network: str
    network_label: str
    handle: str
    external_id: str


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
    lifetime_value: Decimal | None = None
    customer_since: date | None = None
    identities: list[Handle] = field(default_factory=list)


def contact_cards(workspace: Workspace, author_ids: list[int]) -> dict[int, ContactCard]:
    """The contact of each of ``author_ids`` that has one, keyed by author id."""
    rows = Identity.objects.filter(
        workspace=workspace, author_id__in=author_ids, contact__merged_into=None
    ).select_related("contact")
    rows = rows.prefetch_related("contact__identities")
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
            lifetime_value=contact.lifetime_value,
            customer_since=contact.customer_since,
            identities=[
                Handle(i.network, network_label(i.network), i.handle, i.external_id)
                for i in sorted(contact.identities.all(), key=lambda i: (i.network, i.handle))
            ],
        )
    return cards
