"""Every author Harken has heard from gets an identity, and with it a contact.

Listening knows nothing of contacts (arrows point one way), so contacts catch up on the
authors listening stored: at an import, on the contact pages, and in the demo. An author
whose handle a customer import already named joins that identity; any other author gets
a contact of its own, which a confirmed merge may later join to another.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from harken.contacts.handles import clean_handle
from harken.contacts.models import Contact, Identity
from harken.core.models import Workspace
from harken.listening.models import Author, Mention

BATCH = 1000


def link_authors(workspace: Workspace) -> int:
    """Give each of ``workspace``'s authors without an identity one; returns how many."""
    linked, after = 0, 0
    while True:
        authors = list(
            Author.objects.filter(workspace=workspace, contact_identity__isnull=True)
            .exclude(pk__in=_own_authors(workspace))
            .exclude(pk__lte=after)
            .order_by("pk")
            .only("pk", "network", "handle", "external_id", "name")[:BATCH]
        )
        if not authors:
            return linked
        with transaction.atomic():
            _link(workspace, authors)
        linked += len(authors)
        after = authors[-1].pk


def _own_authors(workspace: Workspace) -> QuerySet[Mention, Any]:
    """The business's own accounts (the authors of our answers) are no contacts."""
    return Mention.objects.filter(workspace=workspace, is_own=True).values("author_id")


def _link(workspace: Workspace, authors: list[Author]) -> None:
    keys = {(a.network, clean_handle(a.handle or a.external_id)) for a in authors}
    known = {
        (i.network, i.handle): i
        for i in Identity.objects.filter(
            workspace=workspace, handle__in={h for _, h in keys}, author__isnull=True
        )
    }
    for author in authors:
        handle = clean_handle(author.handle or author.external_id)[:255]
        identity = known.pop((author.network, handle), None)
        if identity is None:
            contact = Contact.objects.create(workspace=workspace, name=author.name[:255])
            identity = Identity(workspace=workspace, contact=contact, network=author.network)
            identity.handle = handle
            if Identity.objects.filter(
                workspace=workspace, network=author.network, handle=handle
            ).exists():
                # The handle already has an author (a renamed account took it over):
                # key this one by its id, which never repeats.
                identity.handle = f"{handle}#{author.external_id}"[:255]
        identity.author = author
        identity.external_id = author.external_id
        identity.save()
