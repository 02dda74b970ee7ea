"""Contacts in a real browser, on a desktop and on a phone: a responder merges the same
person's two identities from the suggestions, sees them on one contact page, and undoes it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harken.contacts.models import Contact, Identity
from tests.browser.conftest import browser, log_in, page, screenshot  # noqa: F401
from tests.contacts.helpers import ago, author, conversation, mention

pytestmark = pytest.mark.browser


def test_a_responder_merges_a_suggested_pair_and_undoes_it(page, bob, workspace):  # noqa: F811
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    on_bluesky = author(workspace, "maya.writes", network="bluesky", name="Maya", followers=900)
    on_mastodon = author(workspace, "maya.writes", network="mastodon", name="Maya")
    mention(
        on_bluesky,
        "negative",
        10,
        text="<b>late</b> again",
        conversation=conversation(workspace, answered=ago(9)),
    )
    mention(on_mastodon, "positive", 3, text="Sorted, thank you!")
    log_in(page, "bob")
    page.goto("/contacts/suggestions/")
    expect(
        page.get_by_text("the same handle “maya.writes” on Bluesky and Mastodon")
    ).to_be_visible()
    screenshot(page, "contacts-suggestions")
    page.get_by_role("button", name="Merge into Maya").click()
    expect(page.get_by_text("You can undo it below")).to_be_visible()
    kept = Contact.objects.get(merged_into=None, workspace=workspace)
    assert kept.identities.count() == 2

    page.goto(f"/contacts/{kept.pk}/")
    expect(page.get_by_role("heading", name="Identities")).to_be_visible()
    expect(page.get_by_text("<b>late</b> again")).to_be_visible()  # shown as text
    screenshot(page, "contacts-contact")
    page.goto("/contacts/recovered/")
    expect(page.get_by_text("Sorted, thank you!")).to_be_visible()
    screenshot(page, "contacts-recovered")

    page.goto("/contacts/suggestions/")
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_text("is a contact of its own again")).to_be_visible()
    assert Identity.objects.filter(contact=kept).count() == 1
    page.goto("/contacts/")
    screenshot(page, "contacts-list")
    assert not [e for e in errors if "Content Security Policy" in e], errors
