"""The "Typical customer" and "Reports" pages in a real browser on a desktop (1280×800)
and a phone (390×844): the figures, a chart and its table, nothing wider than the window.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from harken.core.models import Member, Role
from tests.analytics.test_voice import _store
from tests.browser.conftest import browser, log_in, page, screenshot  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_the_typical_customer_and_the_report_on_a_desktop_and_a_phone(
    page,  # noqa: F811
    transactional_db,
    workspace,
):
    owner = get_user_model().objects.create_user(
        "owner", email="owner@example.com", password="correct horse battery"
    )
    Member.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    _store(workspace)
    log_in(page, "owner")
    page.goto("/analytics/typical-customer/?dimension=age+band")
    expect(page.get_by_role("heading", name="Typical customer", exact=True)).to_be_visible()
    expect(page.locator("#stat-per-person .value")).to_have_text("25 %")
    expect(page.get_by_role("img", name="Sentiment counted three ways")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    chart = page.locator("#chart-typical-segments")
    chart.get_by_text("Table").click()
    expect(chart.get_by_role("table")).to_contain_text("65+")
    expect(page.get_by_role("link", name="Ask the community").first).to_be_visible()
    screenshot(page, "analytics-typical-customer")

    page.get_by_role("link", name="Reports", exact=True).last.click()
    expect(page.get_by_role("heading", name="What changed")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot(page, "analytics-report")
    page.get_by_role("button", name="Send me this report").click()
    expect(page.get_by_text("is on its way to owner@example.com")).to_be_visible()
