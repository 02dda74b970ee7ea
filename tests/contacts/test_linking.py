"""Every author heard becomes a contact; an imported handle joins the author when heard."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from harken.contacts.importing import import_customers
from harken.contacts.linking import link_authors
from harken.contacts.models import Contact, Identity
from tests.contacts.helpers import author, mention


def test_each_author_gets_one_contact_and_linking_again_changes_nothing(workspace):
    author(workspace, "Maya", name="Maya")
    author(workspace, "tom", network="bluesky")
    assert link_authors(workspace) == 2
    assert link_authors(workspace) == 0
    assert Contact.objects.filter(workspace=workspace).count() == 2
    assert set(Identity.objects.values_list("handle", flat=True)) == {"maya", "tom"}


def test_our_own_account_is_no_contact(workspace):
    us = author(workspace, "harborstreet")
    mention(us, "", 1, is_own=True)
    assert link_authors(workspace) == 0
    assert not Contact.objects.exists()


def test_a_handle_from_the_import_is_joined_by_the_author_when_heard(workspace):
    import io

    import_customers(workspace, io.BytesIO(b"email,x\nana@example.com,@Ana_L\n"))
    heard = author(workspace, "ana_l", network="x")
    link_authors(workspace)
    identity = Identity.objects.get(workspace=workspace)
    assert identity.author == heard
    assert identity.contact.emails == ["ana@example.com"]
    assert Contact.objects.count() == 1


def test_a_second_author_with_a_taken_handle_is_keyed_by_its_id(workspace):
    author(workspace, "maya")
    renamed = author(workspace, "MAYA", external_id="id-2")
    link_authors(workspace)
    assert Identity.objects.get(author=renamed).handle == "maya#id-2"


def test_the_list_and_contact_pages_take_the_same_queries_for_more_contacts(
    alice_client, workspace
):
    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as seen:
            assert alice_client.get(url).status_code == 200
        return len(seen)

    first = author(workspace, "a0")
    mention(first, "positive", 1)
    mention(first, "positive", 2)
    for n in range(2):
        mention(author(workspace, f"x{n}"), "positive", n + 1)
    link_authors(workspace)
    contact = Contact.objects.get(identities__author=first)
    page = reverse("contact_detail", args=[contact.pk])
    few = (queries(reverse("contact_list")), queries(page), queries("/contacts/advocates/"))
    for n in range(2, 8):
        again = author(workspace, f"x{n}")
        mention(again, "positive", n + 1)
        mention(again, "positive", n + 2)  # another advocate
        mention(first, "negative", n + 1)
    link_authors(workspace)
    many = (queries(reverse("contact_list")), queries(page), queries("/contacts/advocates/"))
    assert many == few
