"""The queue links the authors the ingest stored since its watermark, in every workspace,
once: a second sweep, or a page that linked them first, changes nothing."""

from __future__ import annotations

from harken.contacts.linking import link_authors, link_new_authors
from harken.contacts.models import Contact, Identity, LinkWatermark
from tests.contacts.helpers import author, mention


def test_new_authors_of_every_workspace_get_a_contact_once(workspace, other_workspace):
    author(workspace, "maya")
    author(other_workspace, "tom", network="bluesky")
    assert link_new_authors(batch=1) == 2
    assert link_new_authors() == 0
    assert set(Identity.objects.values_list("workspace_id", "handle")) == {
        (workspace.pk, "maya"),
        (other_workspace.pk, "tom"),
    }
    newest = author(workspace, "ana")
    assert link_new_authors() == 1
    assert LinkWatermark.objects.get().author_id == newest.pk


def test_the_sweep_skips_authors_linked_elsewhere_and_our_own(workspace):
    author(workspace, "maya")
    link_authors(workspace)  # a contacts page linked her first
    us = author(workspace, "harborstreet")
    mention(us, "", 1, is_own=True)
    assert link_new_authors() == 0
    assert Contact.objects.count() == 1


def test_an_imported_handle_joins_the_author_when_heard(workspace):
    from io import BytesIO

    from harken.contacts.importing import import_customers

    csv = b"email,mastodon,name,plan\nmaya@example.com,@maya,Maya Ortiz,gold\n"
    import_customers(workspace, BytesIO(csv), "customers.csv")
    heard = author(workspace, "maya")
    assert link_new_authors() == 1
    contact = Contact.objects.get(identities__author=heard)
    assert (contact.name, contact.segments) == ("Maya Ortiz", {"plan": "gold"})
    assert Contact.objects.count() == 1
