"""Canned replies in a real browser, on a desktop and on a phone: a manager writes one on
its Settings tab, a responder finds it by typing "/" in the reply box, it is filled in for
the customer and sent to Mastodon (a local server answering in the recorded shape)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harken.inbox.models import CannedReply, Message
from harken.inbox.states import State
from tests.browser.conftest import log_in, screenshot
from tests.inbox.conftest import (  # noqa: F401  (fixtures)
    account,
    conversation,
    mastodon,
)

pytestmark = pytest.mark.browser


def test_a_canned_reply_is_written_once_and_found_with_a_slash(
    page,
    alice,
    bob,
    account,  # noqa: F811  (the fixtures of tests/inbox)
    conversation,  # noqa: F811
    mastodon,  # noqa: F811
):
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    log_in(page, "alice")
    page.goto("/inbox/canned-replies/")
    expect(page.get_by_role("heading", name="Canned replies", exact=True)).to_be_visible()
    page.get_by_label("Name").fill("shipping")
    page.get_by_label("Text").fill("Hi {first_name}, your order ships today. {agent} at {business}")
    page.get_by_role("button", name="Add canned reply").click()
    expect(page.locator(".canned-list")).to_contain_text("/shipping")
    screenshot(page, "inbox-canned-settings")
    assert CannedReply.objects.filter(name="shipping").exists()
    page.context.clear_cookies()

    log_in(page, "bob")
    page.goto(f"/inbox/{conversation.pk}/")
    box = page.get_by_placeholder("Write a reply to @maya")
    box.click()
    box.press_sequentially("/shi")
    option = page.get_by_role("option").filter(has_text="/shipping")
    expect(option).to_contain_text("Hi Maya, your order ships today. bob at Harbor Street")
    screenshot(page, "inbox-canned-menu")
    if page.viewport_name == "phone":
        option.click()
    else:
        box.press("Enter")
    expected = "Hi Maya, your order ships today. bob at Harbor Street Jewelers"
    expect(box).to_have_value(expected)
    expect(page.get_by_role("listbox", name="Canned replies")).to_be_hidden()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".msg.state-sent")).to_contain_text("your order ships today")
    assert Message.objects.get(state=State.SENT).text == expected
    assert refused == []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
