"""The sample workspace's analytics in a real browser, on a desktop and on a phone: the
dashboard with its headline figures and charts, a chart's table, the period picker, and
the Listening page. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from harken.core.demo import do_fill_demo
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def test_the_sample_dashboard_on_a_desktop_and_a_phone(page, transactional_db):
    owner = get_user_model().objects.create_user("owner", password="correct horse battery")
    do_fill_demo([owner])
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    log_in(page, "owner")
    page.goto("/analytics/")
    expect(page.get_by_role("heading", name="Analytics", exact=True)).to_be_visible()
    expect(page.locator("#stat-mentions .value")).not_to_have_text("0")
    expect(page.get_by_role("img", name="Mentions per day", exact=True)).to_be_visible()
    expect(page.get_by_role("img", name="Best times to post")).to_be_visible()
    # Nothing wider than the window: the charts shrink to a phone's width.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]
    screenshot(page, "analytics-dashboard")

    chart = page.locator("#chart-share-of-voice")
    chart.get_by_text("Table").click()
    expect(chart.get_by_role("table")).to_contain_text("Rival Rings")

    page.get_by_label("Period", exact=True).select_option("7")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator("#panel-mentions .sub")).to_contain_text("mentions")
    assert "start=" in page.url or "range=7" in page.url

    page.get_by_role("link", name="Listening", exact=True).last.click()
    expect(page.get_by_role("img", name="Who carries your name furthest")).to_be_visible()
    screenshot(page, "analytics-listening")
    assert not refused
