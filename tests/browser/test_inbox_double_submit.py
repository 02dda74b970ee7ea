"""A double click on Send in a real browser: the button is off while the reply is on its
way, and one message is written and posted once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harken.inbox.models import Message
from tests.browser.conftest import log_in
from tests.inbox.conftest import (  # noqa: F401  (fixtures)
    account,
    conversation,
    mastodon,
)
from tests.lib.localserver import Reply

pytestmark = pytest.mark.browser


def test_a_double_click_on_send_posts_once(
    page,
    bob,
    account,  # noqa: F811  (the fixtures of tests/inbox)
    conversation,  # noqa: F811
    mastodon,  # noqa: F811
):
    recorded = mastodon.routes["/api/v1/statuses"][0]
    slow = Reply(recorded.status, recorded.body, recorded.headers, delay=1.0)
    mastodon.route("/api/v1/statuses", slow)
    log_in(page, "bob")
    page.goto(f"/inbox/{conversation.pk}/")
    page.get_by_placeholder("Write a reply to @maya").fill("It ships today.")
    send = page.get_by_role("button", name="Send", exact=True)
    send.dblclick()
    expect(page.locator("#reply-send")).to_be_disabled()  # while the network answers
    expect(page.locator(".msg.state-sent")).to_contain_text("It ships today.")
    expect(page.locator("#reply-send")).to_be_enabled()
    assert Message.objects.filter(conversation=conversation).count() == 1
    assert len(mastodon.hits("/api/v1/statuses")) == 1
