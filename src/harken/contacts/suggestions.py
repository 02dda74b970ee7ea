"""Merge suggestions: pairs of contacts that seem to be one person, and why.

Computed from stored rows each time (nothing to keep current): the same handle on two
networks, the same name where one's bio points at the other, an e-mail a customer import
gave appearing in a bio, and a handle a customer import listed that another contact holds.
A person confirms each merge; nothing merges by itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from harken.contacts.handles import emails_in, links_in, normal_name, stem
from harken.contacts.models import Contact, Distinct, Identity
from harken.core.models import Workspace
from harken.networks.registry import network_label

#: Stems shorter than this ("jo", "a") are too common to say anything.
MIN_STEM = 3

Add = Callable[[int, int, str], None]


class Person(NamedTuple):
    """What the rules read of a contact (light rows: a workspace has thousands)."""

    pk: int
    name: str
    emails: list[str]
    claimed: list[str]


class Handle(NamedTuple):
    """What the rules read of an identity."""

    contact_id: int
    network: str
    handle: str
    bio: str


@dataclass
class Suggestion:
    first: Contact
    second: Contact
    reasons: list[str] = field(default_factory=list)

    @property
    def keep(self) -> Contact:
        """The contact to keep by default: a customer, else one with an e-mail, else the older."""
        a, b = self.first, self.second
        rank = [(c.status == Contact.Status.CUSTOMER, bool(c.emails), -c.pk) for c in (a, b)]
        return a if rank[0] >= rank[1] else b

    @property
    def other(self) -> Contact:
        return self.second if self.keep is self.first else self.first


def suggest(workspace: Workspace, limit: int = 200) -> list[Suggestion]:
    """Up to ``limit`` suggestions for ``workspace``, those with the most reasons first."""
    visible = Contact.objects.filter(workspace=workspace, merged_into=None)
    contacts = {
        row[0]: Person(*row) for row in visible.values_list("pk", "name", "emails", "claimed")
    }
    identities = [
        Handle(*row)
        for row in Identity.objects.filter(
            workspace=workspace, contact__merged_into=None
        ).values_list("contact_id", "network", "handle", "bio")
    ]
    found: dict[tuple[int, int], list[str]] = defaultdict(list)

    def add(a: int, b: int, reason: str) -> None:
        if a != b and a in contacts and b in contacts:
            reasons = found[(min(a, b), max(a, b))]
            if reason not in reasons:
                reasons.append(reason)

    _same_handle(identities, add)
    _bio_points_at(contacts, identities, add)
    _claimed(contacts, identities, add)
    for first, second in Distinct.objects.filter(workspace=workspace).values_list(
        "first_id", "second_id"
    ):
        found.pop((first, second), None)
    ranked = sorted(found.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:limit]
    # Only the contacts shown become model rows, with their identities for the page.
    shown = {pk for pair, _ in ranked for pk in pair}
    full = visible.filter(pk__in=shown).prefetch_related("identities").in_bulk()
    return [Suggestion(full[a], full[b], reasons) for (a, b), reasons in ranked]


def _same_handle(identities: list[Handle], add: Add) -> None:
    by_stem: dict[str, list[Handle]] = defaultdict(list)
    for identity in identities:
        key = stem(identity.handle)
        if len(key) >= MIN_STEM:
            by_stem[key].append(identity)
    for key, group in by_stem.items():
        for i, one in enumerate(group):
            for two in group[i + 1 :]:
                if one.network != two.network:
                    networks = f"{network_label(one.network)} and {network_label(two.network)}"
                    add(one.contact_id, two.contact_id, f"the same handle “{key}” on {networks}")


def _bio_points_at(contacts: dict[int, Person], identities: list[Handle], add: Add) -> None:
    by_email = {email: c.pk for c in contacts.values() for email in c.emails}
    by_name: dict[str, set[int]] = defaultdict(set)
    for contact in contacts.values():
        if len(normal_name(contact.name)) >= 2:
            by_name[normal_name(contact.name)].add(contact.pk)
    stems: dict[int, set[str]] = defaultdict(set)
    for identity in identities:
        stems[identity.contact_id].add(stem(identity.handle))
    for identity in identities:
        if not identity.bio:
            continue
        for email in emails_in(identity.bio):
            owner = by_email.get(email)
            if owner is not None:
                add(
                    identity.contact_id,
                    owner,
                    f"{email}, known from the customer import, is in the bio of @{identity.handle}",
                )
        name = normal_name(contacts[identity.contact_id].name)
        links = links_in(identity.bio)
        for namesake in by_name.get(name, set()) - {identity.contact_id}:
            if any(len(s) >= MIN_STEM and s in link for s in stems[namesake] for link in links):
                add(
                    identity.contact_id,
                    namesake,
                    "the same name, and a link in the bio of "
                    f"@{identity.handle} names the other's handle",
                )


def _claimed(contacts: dict[int, Person], identities: list[Handle], add: Add) -> None:
    holder = {f"{i.network}:{i.handle}": i.contact_id for i in identities}
    for contact in contacts.values():
        for pair in contact.claimed:
            owner = holder.get(pair)
            if owner is not None:
                network, handle = pair.split(":", 1)
                add(
                    contact.pk,
                    owner,
                    f"the customer import lists @{handle} on {network_label(network)}",
                )
