"""The contacts pages: isolation (another workspace's rows are a 404), roles checked on
the server, escaped evidence, and the import page."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from harken.contacts.actions import do_merge
from harken.contacts.models import Contact, Identity, Merge
from tests.contacts.helpers import ago, author, contact_of, conversation, mention

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def contact(workspace):
    return contact_of(author(workspace, "maya", name="Maya"))


@pytest.fixture
def theirs(other_workspace):
    return contact_of(author(other_workspace, "spy", name="Spy"))


def no_inline_script(html: str) -> bool:
    return not re.search(r"<script(?![^>]*\bsrc=)", html) and not re.search(r"<[^>]*\son\w+=", html)


def test_it_refuses_another_workspaces_contact_with_404(charlie_client, contact):
    assert charlie_client.get(reverse("contact_detail", args=[contact.pk])).status_code == 404
    response = charlie_client.post(
        reverse("contact_edit", args=[contact.pk]), {"status": "customer", "notes": "mine"}
    )
    assert response.status_code == 404
    contact.refresh_from_db()
    assert (contact.status, contact.notes) == ("non_customer", "")


def test_it_refuses_to_merge_or_undo_another_workspaces_contacts_with_404(
    charlie_client, workspace, alice, contact, theirs
):
    other = contact_of(author(workspace, "maya2", name="Maya"))
    response = charlie_client.post(
        reverse("contact_merge"), {"keep": theirs.pk, "merge": contact.pk}
    )
    assert response.status_code == 404
    assert Identity.objects.filter(contact=contact).count() == 1
    merge = do_merge(contact, other, alice)
    response = charlie_client.post(reverse("contact_merge_undo", args=[merge.pk]))
    assert response.status_code == 404
    merge.refresh_from_db()
    assert merge.undone_at is None


def test_a_merged_away_contact_page_is_404(alice_client, workspace, alice, contact):
    other = contact_of(author(workspace, "maya2"))
    do_merge(contact, other, alice)
    assert alice_client.get(reverse("contact_detail", args=[other.pk])).status_code == 404


def test_a_viewer_reads_but_cannot_edit_merge_or_import(client, victor, contact, workspace):
    client.force_login(victor)
    page = client.get(reverse("contact_detail", args=[contact.pk]))
    assert page.status_code == 200
    assert 'name="notes"' not in page.content.decode()
    edit = client.post(reverse("contact_edit", args=[contact.pk]), {"status": "customer"})
    assert edit.status_code == 403
    other = contact_of(author(workspace, "maya2"))
    merge = client.post(reverse("contact_merge"), {"keep": contact.pk, "merge": other.pk})
    assert merge.status_code == 403
    assert client.get(reverse("contact_import")).status_code == 403
    contact.refresh_from_db()
    assert contact.status == "non_customer"


def test_a_responder_edits_status_tags_and_notes_but_cannot_import(bob_client, contact):
    response = bob_client.post(
        reverse("contact_edit", args=[contact.pk]),
        {"name": "Maya Lin", "status": "prospect", "tags": "vip, wholesale, vip", "notes": "Hi"},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.name, contact.status, contact.tags, contact.notes) == (
        "Maya Lin",
        "prospect",
        ["vip", "wholesale"],
        "Hi",
    )
    assert bob_client.get(reverse("contact_import")).status_code == 403


def test_the_list_searches_and_filters_by_status(alice_client, workspace):
    contact_of(author(workspace, "maya", name="Maya"))
    ana = contact_of(author(workspace, "ana_l", network="x", name="Ana"))
    Contact.objects.filter(pk=ana.pk).update(status="customer", emails=["ana@example.com"])
    page = alice_client.get(reverse("contact_list")).content.decode()
    assert "Maya" in page and "Ana" in page
    assert no_inline_script(page)
    found = alice_client.get(reverse("contact_list"), {"q": "@ANA_L"}).content.decode()
    assert "Ana" in found and "Maya" not in found
    by_mail = alice_client.get(reverse("contact_list"), {"q": "ana@example"}).content.decode()
    assert "Ana" in by_mail and "Maya" not in by_mail
    customers = alice_client.get(reverse("contact_list"), {"status": "customer"}).content.decode()
    assert "Ana" in customers and "Maya" not in customers


def test_the_contact_page_shows_conversations_across_networks_escaped(
    alice_client, workspace, other_workspace
):
    on_x = author(workspace, "maya", network="x", name="Maya")
    on_bluesky = author(workspace, "maya", network="bluesky", name="Maya")
    first, second = conversation(workspace), conversation(workspace)
    mention(on_x, "negative", 5, text=XSS, conversation=first)
    mention(on_bluesky, "positive", 2, conversation=second)
    contact = contact_of(on_x)
    do_merge(contact, contact_of(on_bluesky), None)
    Contact.objects.filter(pk=contact.pk).update(segments={"<b>band</b>": "25-34"})
    page = alice_client.get(reverse("contact_detail", args=[contact.pk])).content.decode()
    assert reverse("inbox_conversation", args=[first.pk]) in page
    assert reverse("inbox_conversation", args=[second.pk]) in page
    assert "&lt;script&gt;" in page and XSS not in page
    assert "&lt;b&gt;band&lt;/b&gt;" in page
    assert "1 <small>positive</small>" in page and "1 negative" in page
    assert no_inline_script(page)


def test_the_suggestions_page_confirms_a_merge_and_undoes_it(bob_client, workspace):
    a = contact_of(author(workspace, "maya.writes", network="bluesky"))
    b = contact_of(author(workspace, "maya.writes", network="mastodon"))
    page = bob_client.get(reverse("contact_suggestions")).content.decode()
    assert "the same handle" in page
    response = bob_client.post(
        reverse("contact_merge"), {"keep": a.pk, "merge": b.pk, "reason": "same handle"}
    )
    assert response.status_code == 302
    merge = Merge.objects.get()
    assert merge.reasons == ["same handle"]
    assert Identity.objects.filter(contact=a).count() == 2
    page = bob_client.get(reverse("contact_suggestions")).content.decode()
    assert reverse("contact_merge_undo", args=[merge.pk]) in page
    bob_client.post(reverse("contact_merge_undo", args=[merge.pk]))
    assert Identity.objects.filter(contact=a).count() == 1
    assert Contact.objects.get(pk=b.pk).merged_into is None


def test_the_import_page_lists_bad_rows_and_imports_good_files(alice_client, workspace):
    bad = SimpleUploadedFile("c.csv", b"email;name\ngood@example.com;Good\nnope;Bad\n")
    response = alice_client.post(reverse("contact_import"), {"file": bad})
    assert response.status_code == 400
    assert "Line 3:" in response.content.decode()
    assert (
        "<strong>email</strong> → e-mail, <strong>name</strong> → name" in response.content.decode()
    )
    assert not Contact.objects.filter(workspace=workspace).exists()
    good = SimpleUploadedFile(
        "c.csv", "\ufeffE-mail;Name;Region\r\ngood@example.com;Good;North\r\n".encode()
    )
    response = alice_client.post(reverse("contact_import"), {"file": good})
    assert response.status_code == 302
    assert Contact.objects.get(workspace=workspace).segments == {"Region": "North"}


def test_the_import_page_refuses_a_workbook_in_words(alice_client):
    book = SimpleUploadedFile("c.xlsx", b"PK\x03\x04rest of a workbook")
    response = alice_client.post(reverse("contact_import"), {"file": book})
    assert response.status_code == 400
    assert "CSV UTF-8" in response.content.decode()


@pytest.mark.parametrize("kind", ["advocates", "detractors", "recovered"])
def test_each_list_page_shows_its_evidence_escaped(alice_client, workspace, kind):
    dan = author(workspace, "dan", name="Dan")
    mention(dan, "negative", 10, text=XSS, conversation=conversation(workspace, answered=ago(9)))
    mention(dan, "positive", 5, text="thanks " + XSS)
    mention(dan, "positive", 4, text="love it")
    page = alice_client.get(reverse("contact_standing", args=[kind]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Dan" in html
    assert XSS not in html and "&lt;script&gt;" in html
    assert reverse("contact_standing_export", args=[kind]) in html
    assert no_inline_script(html)


def test_an_unknown_list_is_404(alice_client):
    assert alice_client.get("/contacts/cheerleaders/").status_code == 404
    assert alice_client.get("/contacts/cheerleaders/export.csv").status_code == 404


def test_not_the_same_person_hides_a_suggestion_and_refuses_other_workspaces_with_404(
    bob_client, charlie_client, workspace, theirs
):
    a = contact_of(author(workspace, "maya.writes", network="bluesky"))
    b = contact_of(author(workspace, "maya.writes", network="mastodon"))
    page = bob_client.get(reverse("contact_suggestions")).content.decode()
    assert "Not the same person" in page
    response = charlie_client.post(reverse("contact_distinct"), {"keep": theirs.pk, "merge": a.pk})
    assert response.status_code == 404
    bob_client.post(reverse("contact_distinct"), {"keep": a.pk, "merge": b.pk})
    page = bob_client.get(reverse("contact_suggestions")).content.decode()
    assert "the same handle" not in page


def test_a_long_evidence_list_shows_five_and_says_how_many_more(alice_client, workspace):
    fan = author(workspace, "fan", name="Fan")
    for n in range(7):
        mention(fan, "positive", n + 1, text=f"praise number {n}")
    html = alice_client.get(reverse("contact_standing", args=["advocates"])).content.decode()
    assert html.count("praise number") == 5
    assert "and 2 more in the CSV export" in html
    export = alice_client.get(reverse("contact_standing_export", args=["advocates"]))
    assert export.content.decode().count("praise number") == 7
