"""A responder's morning in the inbox, in a real browser on a desktop and on a phone:
open the queue, open a conversation, answer it on Mastodon (a local server answering in
the recorded shape), a refund held for a manager who approves it, a refused reply retried,
and a snoozed conversation that comes back when the customer writes again."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from harken.inbox.models import Message
from harken.inbox.states import State
from harken.listening.models import Source
from harken.listening.pipeline import ingest
from tests.browser.conftest import log_in, screenshot
from tests.inbox.conftest import (  # noqa: F401  (fixtures)
    JSON,
    PARENT,
    account,
    conversation,
    mastodon,
)
from tests.lib.localserver import Reply
from tests.listening.helpers import item

pytestmark = pytest.mark.browser


def log_out(page) -> None:
    page.context.clear_cookies()


def test_reply_from_the_inbox_and_approve_a_held_refund(
    page,
    alice,
    bob,
    account,  # noqa: F811  (the fixtures of tests/inbox)
    conversation,  # noqa: F811
    mastodon,  # noqa: F811
):
    recorded = mastodon.routes["/api/v1/statuses"][0]
    second = dict(json.loads(recorded.payload()), id="117020583258299999")
    mastodon.route("/api/v1/statuses", recorded, Reply(200, json.dumps(second), JSON))
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )

    log_in(page, "bob")
    page.goto("/inbox/")
    expect(page.get_by_role("heading", name="Needs reply")).to_be_visible()
    row = page.locator("[data-row]").filter(has_text="@maya")
    expect(row).to_contain_text("question")
    expect(row).to_contain_text("waiting 30 min · first message")
    screenshot(page, "inbox-queue")
    row.get_by_role("link").click()
    expect(page.get_by_text("Where is my order?")).to_be_visible()

    box = page.get_by_placeholder("Write a reply to @maya")
    box.fill("It ships today, sorry for the wait!")
    expect(page.locator("#reply-count")).to_have_text("35 / 500 characters")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".msg.state-sent")).to_contain_text("It ships today")
    expect(page.locator(".msg.state-sent").get_by_role("link", name="on Mastodon")).to_be_visible()
    assert len(mastodon.hits("/api/v1/statuses")) == 1

    box = page.get_by_placeholder("Write a reply to @maya")
    box.fill("We'll refund your $150 rush fee today.")
    page.get_by_role("button", name="Send", exact=True).click()
    banner = page.get_by_role("note", name="Held for approval")
    expect(banner).to_contain_text("above the responder limit of 50")
    expect(banner.get_by_role("button", name="Approve and send")).to_have_count(0)
    screenshot(page, "inbox-held")
    assert len(mastodon.hits("/api/v1/statuses")) == 1  # nothing held is sent

    log_out(page)
    log_in(page, "alice")
    page.goto(f"/inbox/{conversation.pk}/")
    page.get_by_role("button", name="Approve and send").click()
    expect(page.get_by_role("note", name="Held for approval")).to_have_count(0)
    expect(page.locator(".msg.state-sent")).to_have_count(2)
    expect(page.locator(".msg.state-sent").last).to_contain_text("approved by alice")
    screenshot(page, "inbox-approved")
    assert Message.objects.filter(state=State.SENT).count() == 2
    assert len(mastodon.hits("/api/v1/statuses")) == 2
    assert refused == []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_a_refused_reply_shows_the_networks_words_and_is_retried(
    page,
    bob,
    account,  # noqa: F811
    conversation,  # noqa: F811
    mastodon,  # noqa: F811
):
    recorded = mastodon.routes["/api/v1/statuses"][0]
    said = '{"error":"Validation failed: Text character limit of 500 exceeded"}'
    mastodon.route("/api/v1/statuses", Reply(422, said, JSON), recorded)
    log_in(page, "bob")
    page.goto(f"/inbox/{conversation.pk}/")
    page.get_by_placeholder("Write a reply to @maya").fill("It ships today.")
    page.get_by_role("button", name="Send", exact=True).click()
    failed = page.locator(".msg.state-failed")
    expect(failed).to_contain_text("Text character limit of 500 exceeded")
    screenshot(page, "inbox-failed")
    failed.get_by_role("button", name="Try again").click()
    expect(page.locator(".msg.state-sent")).to_contain_text("It ships today.")
    expect(page.locator(".msg.state-failed")).to_have_count(0)
    keys = {seen.headers["idempotency-key"] for seen in mastodon.hits("/api/v1/statuses")}
    assert len(mastodon.hits("/api/v1/statuses")) == 2 and len(keys) == 1

    page.get_by_label("Snooze").select_option("For 3 hours")
    page.get_by_role("button", name="Snooze").click()
    expect(page.locator(".conv-head")).to_contain_text("snoozed until")
    page.goto("/inbox/")
    expect(page.locator('[data-view="snoozed"]')).to_have_text("1")
    expect(page.locator("[data-row]").filter(has_text="@maya")).to_have_count(0)

    # The customer writes back (through the ingest pipeline): the snooze ends by itself
    # and the conversation waits for us again, in Needs reply.
    host = mastodon.base.removeprefix("http://")
    source = Source.objects.create(
        workspace=conversation.workspace,
        name="Mentions",
        kind=Source.Kind.SEARCH,
        network="mastodon",
    )
    again = item(
        f"{host}/117020583299990001",
        text="Thanks, but the tracking link does not work. Where is my order?",
        created=timezone.now(),
        author_id="id-maya",
        author_handle="maya",
        in_reply_to=f"{host}/{PARENT}",
    )
    ingest(source, [again])
    page.goto("/inbox/")
    expect(page.locator('[data-view="snoozed"]')).to_have_text("0")
    back = page.locator("[data-row]").filter(has_text="@maya")
    expect(back).to_have_count(1)
    screenshot(page, "inbox-woken")
    conversation.refresh_from_db()
    assert conversation.snoozed_until is None and conversation.status == "open"


def test_the_sample_inbox_is_alive(page, alice):
    from django.utils import timezone

    from harken.core.demo import do_fill_demo
    from harken.core.models import Member

    sample = do_fill_demo([alice])
    # She opened the sample last: a new session opens it.
    Member.objects.filter(user=alice, workspace=sample).update(last_opened=timezone.now())
    log_in(page, "alice")
    page.goto("/inbox/")
    rows = page.locator("[data-row]")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 5
    expect(page.locator(".queue-row.is-held")).to_have_count(1)
    screenshot(page, "inbox-sample")
    page.locator(".queue-row.is-held").get_by_role("link").click()
    expect(page.get_by_role("note", name="Held for approval")).to_contain_text("$150")
    expect(page.get_by_role("button", name="Approve and send")).to_be_visible()
    screenshot(page, "inbox-sample-held")
