"""Campaigns in a real browser, on a desktop (1280×800) and a phone (390×844): a manager
creates a pledging campaign, adds a tracked link, reads the clicks per day and the pledge,
and the public progress page shows the running total to anyone, with no login."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harken.publishing.links import demo
from harken.publishing.models import Campaign, Link
from tests.browser.conftest import browser, log_in, page, screenshot  # noqa: F401

pytestmark = pytest.mark.browser


def fits_the_window(page) -> bool:  # noqa: F811
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_manager_creates_a_campaign_and_adds_a_tracked_link(page, alice):  # noqa: F811
    log_in(page, "alice")
    page.goto("/calendar/campaigns/")
    page.get_by_role("button", name="New campaign").first.click()
    page.get_by_label("Name").fill("Rings for a Reason")
    page.get_by_label("Pledge per unique click").fill("1.00")
    page.get_by_label("Up to").fill("5")  # under one pledge: refused, nothing saved
    page.get_by_label("Up to").fill("0.50")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("alert")).to_contain_text("A pledge needs a cap")
    assert Campaign.objects.count() == 0
    expect(page.get_by_label("Name")).to_have_value("Rings for a Reason")  # kept

    page.get_by_label("Up to").fill("500")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", name="Rings for a Reason")).to_be_visible()
    page.get_by_label("Destination").fill("https://harborstreet.example/rings")
    page.get_by_label("Network").select_option("bluesky")
    page.get_by_role("button", name="Add a tracked link").click()

    link = Link.objects.get()
    expect(page.get_by_text(f"/l/{link.code}").first).to_be_visible()
    assert fits_the_window(page)
    screenshot(page, "campaign-new")


def test_the_campaign_page_and_the_public_progress_page(page, alice, workspace):  # noqa: F811
    campaign = demo.fill(workspace)
    log_in(page, "alice")

    page.goto(f"/calendar/campaigns/{campaign.pk}/")
    expect(page.get_by_role("heading", name="Clicks per day")).to_be_visible()
    expect(page.get_by_role("img", name="Clicks per day")).to_be_visible()
    expect(page.locator("progress")).to_have_attribute("max", "50000")
    assert fits_the_window(page)
    screenshot(page, "campaign-detail")

    page.goto("/calendar/campaigns/")
    expect(page.get_by_role("link", name="Rings for a Reason")).to_be_visible()
    assert fits_the_window(page)
    screenshot(page, "campaign-list")

    page.context.clear_cookies()  # anyone, signed out
    page.goto(f"/pledge/{campaign.public_token}/")
    expect(page.get_by_role("heading", name="Rings for a Reason")).to_be_visible()
    total = f"${campaign.pledged_cents // 100}.00"
    expect(page.get_by_text(f"{total} pledged of $500.00")).to_be_visible()
    code = Link.objects.filter(campaign=campaign).first().code
    assert code not in page.content() and "harborstreet.example" not in page.content()
    assert fits_the_window(page)
    screenshot(page, "campaign-public")
