"""Bulk actions on the inbox list in a real browser, on a desktop and on a phone: select
rows (by tapping and with the keyboard's x), tag them, then mark one as spam."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harken.analysis.models import Correction
from harken.inbox.models import Conversation
from tests.browser.conftest import log_in, screenshot
from tests.inbox.conftest import make_conversation

pytestmark = pytest.mark.browser


def test_select_rows_then_tag_and_mark_spam(page, alice, workspace):
    make_conversation(workspace, handle="maya", text="Where is my order?")
    make_conversation(workspace, handle="noor", text="Do you resize rings?", minutes_ago=20)
    promo = make_conversation(workspace, handle="promo", text="Buy followers cheap")
    log_in(page, "alice")
    page.goto("/inbox/")
    tag, spam = (page.get_by_role("button", name=n, exact=True) for n in ("Tag", "Mark spam"))
    expect(spam).to_be_disabled()  # nothing selected yet
    page.get_by_label("Select the conversation with @maya").check()
    if page.viewport_name == "desktop":  # the keyboard: x on the row in focus
        page.locator("[data-row]").filter(has_text="@noor").get_by_role("link").focus()
        page.keyboard.press("x")
    else:
        page.get_by_label("Select the conversation with @noor").check()
    expect(page.locator("[data-bulk-count]")).to_have_text("2 selected")
    screenshot(page, "inbox-bulk")
    page.get_by_label("Tag the selected with").fill("Rush order")
    tag.click()
    expect(page.get_by_text("Tagged 2 conversations.")).to_be_visible()
    tagged = Conversation.objects.filter(tags__name="rush order")
    assert sorted(tagged.values_list("subject_handle", flat=True)) == ["maya", "noor"]

    page.get_by_label("Select the conversation with @promo").check()
    page.get_by_role("button", name="Mark spam", exact=True).click()
    expect(page.get_by_text("Marked as spam 1 conversation.")).to_be_visible()
    expect(page.locator("[data-row]").filter(has_text="@promo")).to_have_count(0)
    promo.refresh_from_db()
    assert promo.status == Conversation.Status.RESOLVED
    assert Correction.objects.filter(label="spam", text="Buy followers cheap").count() == 1
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
