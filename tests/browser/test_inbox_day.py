"""A responder's day in a real browser, on a desktop and on a phone: a complaint arrives
through the ingest pipeline and a rule assigns it to Bob, whose bell says so; Bob opens
it from his view, sees the customer's contact card and photo (fetched through Harken,
never from the stranger's host), Alice looking at the same conversation, corrects its
intent in one click, answers with a canned reply that goes to Mastodon (a local server
answering in the recorded shape), merges the customer's Bluesky identity into the
contact, resolves the conversation and reopens it."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from harken.analysis.models import Correction
from harken.contacts.linking import link_new_authors
from harken.contacts.models import Contact, Identity
from harken.inbox.models import AssignmentRule, CannedReply, Conversation, Message
from harken.inbox.states import State
from harken.listening.models import Author, Source
from harken.listening.pipeline import ingest
from tests.browser.conftest import log_in, screenshot
from tests.inbox.conftest import (  # noqa: F401  (fixtures)
    PARENT,
    account,
    mastodon,
)
from tests.lib.localserver import Reply
from tests.listening.helpers import item

pytestmark = pytest.mark.browser

COMPLAINT = (
    "My ring broke after two days, this is terrible service and nobody answers. Photo: {photo}"
)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (180, 140, 20)).save(out, format="PNG")
    return out.getvalue()


def _arrives(workspace, mastodon) -> Conversation:  # noqa: F811
    AssignmentRule.objects.create(
        workspace=workspace,
        name="Complaints to Bob",
        intent="complaint",
        assignee=Conversation._meta.get_field("assignee").related_model.objects.get(username="bob"),
    )
    source = Source.objects.create(
        workspace=workspace, name="Mentions", kind=Source.Kind.SEARCH, network="mastodon"
    )
    host = mastodon.base.removeprefix("http://")
    posted = timezone.now() - timedelta(minutes=20)
    # The customer's photo, on a host of their own (the local server stands in for it).
    mastodon.route("/media/broken-ring.png", Reply(200, png(), {"Content-Type": "image/png"}))
    found = item(
        f"{host}/{PARENT}",
        text=COMPLAINT.format(photo=mastodon.url("/media/broken-ring.png")),
        created=posted,
        author_id="maya-1",
        author_handle="maya",
        author_name="Maya Ortiz",
    )
    ingest(source, [found])
    # The same person on Bluesky, heard earlier: a merge suggestion (the same handle).
    Author.objects.create(
        workspace=workspace, network="bluesky", external_id="did:plc:maya", handle="maya"
    )
    link_new_authors()
    return Conversation.objects.get(network="mastodon")


def test_a_responders_day(
    page,
    browser,
    live_server,
    workspace,
    alice,
    bob,
    account,  # noqa: F811  (the fixtures of tests/inbox)
    mastodon,  # noqa: F811
):
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    CannedReply.objects.create(
        workspace=workspace,
        name="sorry",
        text="Hi {first_name}, we are so sorry. A new clasp is on us. {agent} at {business}",
        created_by=alice,
    )
    talk = _arrives(workspace, mastodon)
    assert talk.assignee == bob and talk.intent == "complaint"

    # Alice has the conversation open on her own screen.
    other = browser.new_context(viewport=page.viewport_size, base_url=live_server.url)
    alice_page = other.new_page()
    log_in(alice_page, "alice")
    alice_page.goto(f"/inbox/{talk.pk}/")

    log_in(page, "bob")
    page.goto("/inbox/?view=mine")
    # The rule's assignment rang Bob's bell (the count comes by htmx, once).
    bell = page.locator("#bell")
    expect(bell).to_be_visible()
    expect(bell.locator(".bell-count")).to_have_text("1")
    row = page.locator("[data-row]").filter(has_text="maya")
    expect(row).to_have_count(1)
    screenshot(page, "inbox-day-mine")
    bell.click()
    told = page.locator("#notification-list .notification.unread")
    expect(told).to_have_count(1)
    expect(told).to_contain_text("@maya")
    screenshot(page, "inbox-day-bell")
    told.get_by_role("button").first.click()  # opens the conversation, marks it read
    expect(page.locator("#conversation")).to_be_visible()
    expect(page.locator("#bell .bell-count")).to_have_count(0)
    card = page.get_by_role("complementary", name="About the author")
    expect(card.get_by_role("region", name="Contact")).to_contain_text("Maya Ortiz")
    # The photo comes through Harken: the browser never asks the customer's host.
    thumb = page.locator(".thumbs img")
    expect(thumb).to_have_attribute("referrerpolicy", "no-referrer")
    assert thumb.get_attribute("src").startswith("/inbox/messages/")
    thumb.scroll_into_view_if_needed()
    page.wait_for_function(
        "document.querySelector('.thumbs img').complete"
        " && document.querySelector('.thumbs img').naturalWidth === 40"
    )
    assert len(mastodon.hits("/media/broken-ring.png")) == 1

    # One click: it is a question as much as a complaint.
    page.locator("details.correct summary").first.click()
    page.get_by_role("button", name="Question").first.click()
    # The panel comes back with the message's labels as corrected.
    expect(page.locator(".msg.theirs .msg-meta").first).to_contain_text("Question")
    expect(page.locator("button[name=intent][value=question]").first).to_have_attribute(
        "aria-pressed", "true"
    )
    kept = Correction.objects.get(workspace=workspace)
    assert (kept.field, kept.label) == ("intent", "question")

    # The canned reply; typing tells Alice's page, and Bob's page shows Alice viewing.
    box = page.get_by_placeholder("Write a reply to @maya")
    box.click()
    box.press_sequentially("/sor")
    expect(page.locator("[data-beat-url]")).to_contain_text("alice is viewing")
    option = page.get_by_role("option").filter(has_text="/sorry")
    expect(option).to_be_visible()
    if page.viewport_name == "phone":
        option.click()
    else:
        box.press("Enter")
    expect(box).to_have_value(
        "Hi Maya, we are so sorry. A new clasp is on us. bob at Harbor Street Jewelers"
    )
    screenshot(page, "inbox-day-conversation")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".msg.state-sent")).to_contain_text("A new clasp is on us")
    sent = Message.objects.get(workspace=workspace, is_note=False)
    assert sent.state == State.SENT and sent.external_id
    other.close()

    # The customer's Bluesky identity joins the contact.
    page.goto("/contacts/suggestions/")
    page.get_by_role("button", name="Merge into").first.click()
    contact = Contact.objects.get(identities__author__handle="maya", identities__network="mastodon")
    assert set(Identity.objects.filter(contact=contact).values_list("network", flat=True)) == {
        "mastodon",
        "bluesky",
    }
    page.goto(f"/inbox/{talk.pk}/")
    contact_card = page.get_by_role("region", name="Contact")
    expect(contact_card).to_contain_text("on Bluesky")
    expect(contact_card).to_contain_text("on Mastodon")

    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    screenshot(page, "inbox-day-resolved")
    talk.refresh_from_db()
    assert talk.status == Conversation.Status.RESOLVED and talk.first_response_at is not None

    # By hand: reopened, it waits for us again.
    page.get_by_role("button", name="Reopen").click()
    expect(page.locator(".conv-head")).to_contain_text("Open")
    expect(page.get_by_role("button", name="Resolve")).to_be_visible()
    talk.refresh_from_db()
    assert talk.status == Conversation.Status.OPEN
    assert refused == []
