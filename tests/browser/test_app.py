"""What a person sees in a real browser, on a desktop and on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harken.core.models import Member, Role
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def agency_alice(alice, other_workspace):
    """Alice works for an agency: she also belongs to Rival Rings."""
    Member.objects.create(workspace=other_workspace, user=alice, role=Role.MANAGER)
    return alice


def test_a_wrong_password_keeps_you_out(page, alice):
    log_in(page, "alice", "not her password")
    expect(page.get_by_role("alert")).to_contain_text("didn't match")
    screenshot(page, "login-refused")


def test_log_in_and_see_the_empty_inbox(page, alice):
    log_in(page, "alice")
    expect(page.get_by_role("heading", name="Your inbox is empty")).to_be_visible()
    nav = page.get_by_role("navigation", name="Sections")
    for section in ["Inbox", "Listening", "Calendar", "Analytics", "Settings"]:
        expect(nav.get_by_role("link", name=section)).to_be_visible()
    # Nothing wider than the screen: owners check Harken from their phone.
    screenshot(page, "inbox-empty")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_switch_workspace(page, agency_alice, workspace, other_workspace):
    log_in(page, "alice")
    current = page.locator(".topbar .ws-name")
    expect(current).to_have_text("Harbor Street Jewelers")
    page.get_by_label("Workspace: Harbor Street Jewelers. Switch workspace").click()
    page.locator(".ws-menu .menu").get_by_role("button", name="Rival Rings").click()
    expect(current).to_have_text("Rival Rings")
    expect(page.get_by_role("heading", name="Your inbox is empty")).to_be_visible()
    page.goto("/settings/")
    expect(page.get_by_label("Name")).to_have_value("Rival Rings")
    screenshot(page, "workspace-switched")


def test_every_section_explains_its_empty_state(page, alice):
    log_in(page, "alice")
    for link, text in [
        ("Listening", "Nothing heard yet"),
        ("Calendar", "No posts planned"),
        ("Analytics", "No figures yet"),
    ]:
        page.get_by_role("navigation", name="Sections").get_by_role("link", name=link).click()
        expect(page.get_by_text(text)).to_be_visible()
