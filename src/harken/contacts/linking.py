"""Every author Harken has heard from gets an identity, and with it a contact.

Listening knows nothing of contacts (arrows point one way), so contacts catch up on the
authors listening stored: every minute from the queue (``link_new_authors``, which reads
only the authors stored since its watermark), at an import, on the contact pages, and in
the demo. An author
whose handle a customer import already named joins that identity; any other author gets
a contact of its own, which a confirmed merge may later join to another.
"""

from __future__ import annotations

from itertools import groupby

from django.db import transaction

from harken.contacts.handles import clean_handle
from harken.contacts.models import Contact, Identity, LinkWatermark
from harken.core.models import Workspace
from harken.listening.models import Author, Mention

BATCH = 1000


def link_authors(workspace: Workspace) -> int:
    """Give each of ``workspace``'s authors without an identity one; returns how many."""
    linked, after = 0, 0
    while True:
        authors = list(
            Author.objects.filter(workspace=workspace, contact_identity__isnull=True, pk__gt=after)
            .order_by("pk")
            .only("pk", "network", "handle", "external_id", "name")[:BATCH]
        )
        if not authors:
            return linked
        after = authors[-1].pk
        people = _without_own(authors)
        with transaction.atomic():
            _link(workspace, people)
        linked += len(people)


def link_new_authors(batch: int = BATCH) -> int:
    """Link the authors of every workspace stored since the watermark; returns how many
    got an identity. Idempotent: an author linked meanwhile (a contacts page, an import)
    is skipped, and the watermark moves only once its batch is stored, so a crash
    repeats a batch and never skips one."""
    mark, _ = LinkWatermark.objects.get_or_create(pk=1)
    linked = 0
    while True:
        authors = list(
            Author.objects.filter(pk__gt=mark.author_id)
            .order_by("pk")
            .only("pk", "workspace_id", "network", "handle", "external_id", "name")[:batch]
        )
        if not authors:
            return linked
        known = set(
            Identity.objects.filter(author_id__in=[a.pk for a in authors]).values_list(
                "author_id", flat=True
            )
        )
        new = [a for a in authors if a.pk not in known]
        by_workspace = sorted(_without_own(new), key=lambda a: (a.workspace_id, a.pk))
        with transaction.atomic():
            for workspace_id, group in groupby(by_workspace, key=lambda a: a.workspace_id):
                people = list(group)
                _link(Workspace(pk=workspace_id), people)
                linked += len(people)
            mark.author_id = authors[-1].pk
            mark.save(update_fields=["author_id", "updated"])


def _without_own(authors: list[Author]) -> list[Author]:
    """The business's own accounts (the authors of our answers) are no contacts. They stay
    without an identity, so each call looks at them again: a handful of rows."""
    own = set(
        Mention.objects.filter(author_id__in=[a.pk for a in authors], is_own=True)
        .values_list("author_id", flat=True)
        .distinct()
    )
    return [a for a in authors if a.pk not in own]


def _link(workspace: Workspace, authors: list[Author]) -> None:
    """Join authors to identities an import made for their handle; make the others a
    contact and an identity each (in bulk: a first visit may find thousands)."""
    handles = {a.pk: clean_handle(a.handle or a.external_id)[:255] for a in authors}
    taken = {
        (i.network, i.handle): i
        for i in Identity.objects.filter(workspace=workspace, handle__in=set(handles.values()))
    }
    joined, fresh = [], []
    for author in authors:
        key = (author.network, handles[author.pk])
        identity = taken.get(key)
        if identity is not None and identity.author_id is None:
            identity.author, identity.external_id = author, author.external_id
            joined.append(identity)
            continue
        # A handle that already has an author (an account renamed, its old name taken
        # over) is keyed by the author's id as well, which never repeats.
        handle = key[1] if identity is None else f"{key[1]}#{author.external_id}"[:255]
        taken[(author.network, handle)] = Identity(author=author)
        fresh.append((author, handle))
    Identity.objects.bulk_update(joined, ["author", "external_id"])
    contacts = Contact.objects.bulk_create(
        [Contact(workspace=workspace, name=a.name[:255]) for a, _ in fresh]
    )
    Identity.objects.bulk_create(
        Identity(
            workspace=workspace,
            contact=contact,
            network=author.network,
            handle=handle,
            external_id=author.external_id,
            author=author,
        )
        for contact, (author, handle) in zip(contacts, fresh, strict=True)
    )
