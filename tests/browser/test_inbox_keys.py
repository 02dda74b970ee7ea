"""The conversation's keyboard: a assigns, s snoozes, e resolves, ? lists them (desktop:
a phone has no keyboard of this kind)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harken.inbox.models import Conversation
from tests.browser.conftest import log_in
from tests.inbox.conftest import make_conversation

pytestmark = pytest.mark.browser


def test_a_s_e_and_question_mark_on_a_conversation(page, workspace, alice):
    if page.viewport_name == "phone":
        pytest.skip("keyboard shortcuts are for a desktop")
    talk = make_conversation(workspace)
    log_in(page, "alice")
    page.goto(f"/inbox/{talk.pk}/")
    expect(page.locator("#conversation")).to_be_visible()
    page.locator("h1").first.click()  # nothing typed into: the keys are shortcuts
    page.keyboard.press("a")
    focused = "document.activeElement && document.activeElement.id"
    page.wait_for_function(f"({focused} || '').startsWith('assignee-')")
    page.keyboard.press("Escape")
    page.locator("h1").first.click()
    page.keyboard.press("s")
    page.wait_for_function(f"({focused} || '').startsWith('snooze-')")
    page.keyboard.press("Escape")
    page.locator("h1").first.click()
    page.keyboard.press("?")
    keys = page.get_by_role("complementary", name="Keyboard shortcuts")
    expect(keys).to_contain_text("assign")
    expect(keys).to_contain_text("snooze")
    page.keyboard.press("e")
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    talk.refresh_from_db()
    assert talk.status == Conversation.Status.RESOLVED
