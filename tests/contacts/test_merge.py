"""Merge suggestions, a confirmed merge, and its undo."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from harken.contacts.actions import do_mark_distinct, do_merge, do_undo_merge
from harken.contacts.models import Contact, Identity, Merge
from harken.contacts.suggestions import suggest
from harken.core.models import AuditEntry
from tests.contacts.helpers import author, contact_of


def pairs(workspace) -> dict[frozenset[int], list[str]]:
    return {frozenset({s.first.pk, s.second.pk}): s.reasons for s in suggest(workspace)}


def test_the_same_handle_on_two_networks_is_suggested(workspace):
    one = contact_of(author(workspace, "maya.writes", network="bluesky"))
    two = contact_of(author(workspace, "maya.writes@mastodon.example", network="mastodon"))
    three = contact_of(author(workspace, "@Maya.Writes", network="x"))
    found = pairs(workspace)
    assert (
        "the same handle “maya.writes” on Bluesky and Mastodon"
        in found[frozenset({one.pk, two.pk})]
    )
    assert frozenset({one.pk, three.pk}) in found


def test_the_same_handle_on_one_network_and_short_handles_are_not_suggested(workspace):
    contact_of(author(workspace, "jo", network="bluesky"))
    contact_of(author(workspace, "jo", network="x"))
    assert pairs(workspace) == {}


def test_an_email_from_the_customer_import_in_a_bio_is_suggested(workspace):
    customer = Contact.objects.create(workspace=workspace, name="Ana", emails=["ana@example.com"])
    heard = author(workspace, "quiet_fox")
    contact = contact_of(heard)
    Identity.objects.filter(author=heard).update(bio="Write me: ANA@example.com.")
    reasons = pairs(workspace)[frozenset({customer.pk, contact.pk})]
    assert reasons == [
        "ana@example.com, known from the customer import, is in the bio of @quiet_fox"
    ]


def test_the_same_name_with_a_link_in_the_bio_to_the_other_is_suggested(workspace):
    a = contact_of(author(workspace, "lena_k", network="x", name="Lena Kowalski"))
    heard = author(workspace, "lk", network="mastodon", name="lena  kowalski")
    b = contact_of(heard)
    Identity.objects.filter(author=heard).update(bio="also on https://x.example/lena_k")
    reasons = pairs(workspace)[frozenset({a.pk, b.pk})]
    assert any("same name" in r for r in reasons)
    # The same name alone says nothing: namesakes are common.
    contact_of(author(workspace, "other", network="bluesky", name="Lena Kowalski"))
    assert len(pairs(workspace)) == 1


def test_a_merge_moves_identities_joins_facts_and_an_undo_puts_everything_back(workspace, alice):
    kept = contact_of(author(workspace, "maya.writes", network="bluesky"))
    merged = contact_of(author(workspace, "maya.writes", network="mastodon"))
    Contact.objects.filter(pk=kept.pk).update(
        emails=["maya@example.com"], segments={"plan": "gold"}, tags=["vip"], notes="Kept"
    )
    Contact.objects.filter(pk=merged.pk).update(
        status="customer", segments={"plan": "silver", "region": "North"}, tags=["new"], notes="M"
    )
    kept.refresh_from_db()
    before = {f: getattr(kept, f) for f in ("name", "status", "segments", "tags", "notes")}
    merge = do_merge(kept, Contact.objects.get(pk=merged.pk), alice, ["same handle"])

    kept.refresh_from_db()
    assert kept.identities.count() == 2
    assert kept.status == "customer"
    assert kept.segments == {"plan": "gold", "region": "North"}
    assert kept.tags == ["vip", "new"]
    assert Contact.objects.get(pk=merged.pk).merged_into == kept
    assert pairs(workspace) == {}
    assert AuditEntry.objects.filter(action="contact.merge", actor=alice).exists()

    do_undo_merge(merge, alice)
    kept.refresh_from_db()
    merged.refresh_from_db()
    assert {f: getattr(kept, f) for f in before} == before
    assert merged.merged_into is None
    assert [i.network for i in kept.identities.all()] == ["bluesky"]
    assert [i.network for i in merged.identities.all()] == ["mastodon"]
    assert Merge.objects.get().undone_at is not None
    assert AuditEntry.objects.filter(action="contact.merge_undo").exists()
    assert len(pairs(workspace)) == 1  # suggested again


def test_an_undo_refuses_twice_and_out_of_order(workspace, alice):
    a, b, c = (contact_of(author(workspace, f"h{n}")) for n in range(3))
    first = do_merge(a, b, alice)
    second = do_merge(a, c, alice)
    with pytest.raises(ValidationError, match="later merges"):
        do_undo_merge(first, alice)
    do_undo_merge(second, alice)
    do_undo_merge(first, alice)
    with pytest.raises(ValidationError, match="undone already"):
        do_undo_merge(first, alice)
    assert Identity.objects.filter(contact=a).count() == 1


def test_a_contact_cannot_be_merged_twice_or_into_itself(workspace, alice):
    a, b = (contact_of(author(workspace, f"h{n}")) for n in range(2))
    with pytest.raises(ValidationError):
        do_merge(a, a, alice)
    do_merge(a, b, alice)
    with pytest.raises(ValidationError, match="merged already"):
        do_merge(b, a, alice)


def test_a_pair_marked_as_two_people_is_not_suggested_again(workspace, bob):
    one = contact_of(author(workspace, "maya.writes", network="bluesky"))
    two = contact_of(author(workspace, "maya.writes", network="mastodon"))
    do_mark_distinct(two, one, bob)
    do_mark_distinct(one, two, bob)  # either way round, once
    assert pairs(workspace) == {}
    assert AuditEntry.objects.filter(action="contact.distinct").count() == 1
