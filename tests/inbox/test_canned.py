"""Canned replies: filled in for the conversation as plain text, managed by managers,
isolated per workspace, found from the reply box."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from harken.core.models import AuditEntry, Member
from harken.inbox import canned
from harken.inbox.models import CannedReply
from harken.listening.models import Author
from tests.inbox.conftest import make_conversation

pytestmark = pytest.mark.django_db


def _canned(workspace, name="shipping", text="Hi {first_name}, it ships today. {agent}"):
    return CannedReply.objects.create(workspace=workspace, name=name, text=text)


def _member(user, workspace) -> Member:
    return Member.objects.select_related("user", "workspace").get(user=user, workspace=workspace)


def test_the_variables_are_filled_for_the_conversation(workspace, bob):
    conversation = make_conversation(workspace, handle="maya")
    Author.objects.filter(handle="maya").update(name="Maya Lin")
    bob.first_name = "Bob"
    bob.save(update_fields=["first_name"])
    values = canned.values_for(conversation, _member(bob, workspace))
    text = "Hi {first_name} ({handle}), {agent} at {business} here. {unknown} {{first_name}}"
    assert canned.fill(text, values) == (
        "Hi Maya (@maya), Bob at Harbor Street Jewelers here. {unknown} {Maya}"
    )


def test_a_customers_name_is_inserted_as_text_never_expanded_again(workspace, bob):
    conversation = make_conversation(workspace, handle="mallory")
    Author.objects.filter(handle="mallory").update(name="{agent}\u202e<script>\nx")
    values = canned.values_for(conversation, _member(bob, workspace))
    assert values["first_name"] == "{agent}"  # one line, controls gone, not re-filled
    assert canned.fill("Hi {first_name}", values) == "Hi {agent}"
    nameless = make_conversation(workspace, handle="anon")
    Author.objects.filter(handle="anon").update(name="")
    assert canned.values_for(nameless, _member(bob, workspace))["first_name"] == "anon"


def test_only_managers_change_canned_replies_and_unknown_variables_are_refused(
    workspace, alice, bob
):
    with pytest.raises(PermissionDenied):
        canned.do_save_canned(_member(bob, workspace), "x", "y")
    owner = _member(alice, workspace)
    with pytest.raises(ValidationError, match=r"Unknown variable \{frist_name\}"):
        canned.do_save_canned(owner, "hello", "Hi {frist_name}")
    saved = canned.do_save_canned(owner, "hello", "Hi {first_name}")
    with pytest.raises(ValidationError, match="already called"):
        canned.do_save_canned(owner, "hello", "again")
    canned.do_delete_canned(owner, saved)
    actions = set(AuditEntry.objects.filter(workspace=workspace).values_list("action", flat=True))
    assert {"canned_reply.create", "canned_reply.delete"} <= actions


def test_a_manager_creates_edits_and_deletes_on_the_settings_page(alice_client, workspace):
    page = alice_client.get(reverse("inbox_canned"))
    assert page.status_code == 200 and b"Canned replies" in page.content
    assert b'aria-current="page">Canned replies' in page.content  # its Settings tab
    created = alice_client.post(
        reverse("inbox_canned"), {"name": "hours", "text": "Open 10 to 6, {first_name}!"}
    )
    assert created.status_code == 302
    row = CannedReply.objects.get(workspace=workspace, name="hours")
    edited = alice_client.post(
        reverse("inbox_canned_edit", args=[row.pk]), {"name": "hours", "text": "Open 9 to 5."}
    )
    assert edited.status_code == 302
    row.refresh_from_db()
    assert row.text == "Open 9 to 5."
    refused = alice_client.post(reverse("inbox_canned"), {"name": "", "text": "x"})
    assert refused.status_code == 400 and b"Give the canned reply a name." in refused.content
    alice_client.post(reverse("inbox_canned_delete", args=[row.pk]))
    assert not CannedReply.objects.filter(pk=row.pk).exists()


def test_a_responder_uses_canned_replies_but_cannot_manage_them(bob_client, workspace):
    row = _canned(workspace)
    assert bob_client.get(reverse("inbox_canned")).status_code == 403
    assert bob_client.post(reverse("inbox_canned"), {"name": "a", "text": "b"}).status_code == 403
    edit = bob_client.post(reverse("inbox_canned_edit", args=[row.pk]), {"name": "a", "text": "b"})
    assert edit.status_code == 403
    assert bob_client.post(reverse("inbox_canned_delete", args=[row.pk])).status_code == 403
    row.refresh_from_db()
    assert row.name == "shipping"
    conversation = make_conversation(workspace)
    found = bob_client.get(reverse("inbox_canned_search", args=[conversation.pk]), {"q": "ship"})
    assert found.json() == {
        "results": [{"name": "shipping", "text": "Hi Maya, it ships today. bob"}]
    }


@pytest.mark.parametrize("name", ["inbox_canned_edit", "inbox_canned_delete"])
def test_another_workspaces_canned_reply_is_404(charlie_client, workspace, name):
    theirs = _canned(workspace)
    assert charlie_client.get(reverse("inbox_canned_edit", args=[theirs.pk])).status_code == 404
    response = charlie_client.post(reverse(name, args=[theirs.pk]), {"name": "x", "text": "y"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "shipping"


def test_the_search_is_404_for_another_workspaces_conversation_and_lists_only_ours(
    charlie_client, charlie, alice_client, workspace, other_workspace
):
    ours = make_conversation(workspace)
    _canned(workspace, "shipping")
    _canned(other_workspace, "ship secret", "theirs")
    url = reverse("inbox_canned_search", args=[ours.pk])
    assert charlie_client.get(url, {"q": "ship"}).status_code == 404
    names = [r["name"] for r in alice_client.get(url, {"q": "ship"}).json()["results"]]
    assert names == ["shipping"]


def test_the_search_ranks_names_first_and_empty_lists_all(workspace):
    _canned(workspace, "returns", "We ship a label with every order.")
    _canned(workspace, "shipping", "Two days.")
    _canned(workspace, "hours", "10 to 6.")
    assert [c.name for c in canned.search(workspace, "ship")] == ["shipping", "returns"]
    assert [c.name for c in canned.search(workspace, "")] == ["hours", "returns", "shipping"]


def test_the_reply_box_offers_the_canned_search(alice_client, workspace):
    conversation = make_conversation(workspace)
    page = alice_client.get(reverse("inbox_conversation", args=[conversation.pk])).content
    url = reverse("inbox_canned_search", args=[conversation.pk]).encode()
    assert b'data-canned-url="' + url + b'"' in page and b'id="canned-menu"' in page
