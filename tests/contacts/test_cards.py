"""The inbox's author card gets the contact's status, segments, link and identities in two
queries, however many authors it is asked about."""

from __future__ import annotations

from django.urls import reverse

from harken.contacts.cards import contact_cards
from harken.contacts.models import Contact
from tests.contacts.helpers import author, contact_of


def test_cards_give_each_authors_contact_in_two_queries(
    workspace, other_workspace, django_assert_num_queries
):
    maya = author(workspace, "maya")
    theirs = author(other_workspace, "spy")
    contact = contact_of(maya)
    quiet = author(workspace, "quiet")  # not linked yet: no card
    contact_of(theirs)
    Contact.objects.filter(pk=contact.pk).update(status="customer", segments={"plan": "gold"})
    with django_assert_num_queries(2):
        cards = contact_cards(workspace, [maya.pk, quiet.pk, theirs.pk])
    assert list(cards) == [maya.pk]
    card = cards[maya.pk]
    assert (card.status_label, card.segments) == ("Customer", {"plan": "gold"})
    assert card.url == reverse("contact_detail", args=[contact.pk])
    assert [(i.network, i.handle, i.external_id) for i in card.identities] == [
        ("mastodon", "maya", maya.external_id)
    ]
