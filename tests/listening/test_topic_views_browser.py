"""The topic form in a real browser: the query is checked as it is typed (htmx), on a
desktop and on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harken.listening.models import Topic
from tests.browser.conftest import browser, log_in, page, screenshot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_typing_marketer_sees_where_the_query_breaks_then_saves_it(page, alice):  # noqa: F811
    log_in(page, "alice")
    page.goto("/listening/topics/new/")
    page.get_by_label("Name").fill("Our brand")
    query = page.get_by_label("Query")
    query.press_sequentially('harbor OR "harbor street')
    status = page.locator("#query-status")
    expect(status).to_contain_text("Unclosed quote at position 11")
    screenshot(page, "topic-query-error")
    query.press_sequentially('" -jobs')
    expect(status).to_contain_text('Understood as harbor OR ("harbor street" -jobs)')
    page.get_by_role("button", name="Create topic").click()
    expect(page.get_by_role("link", name="Our brand")).to_be_visible()
    assert Topic.objects.get().query == 'harbor OR "harbor street" -jobs'
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    screenshot(page, "topic-list")


def test_a_query_pasted_with_the_mouse_is_checked_too(page, alice):  # noqa: F811
    log_in(page, "alice")
    page.goto("/listening/topics/new/")
    # fill() sets the value and fires "input" only, as a mouse paste or a drop does: no key.
    page.get_by_label("Query").fill('harbor OR "harbor street')
    expect(page.locator("#query-status")).to_contain_text("Unclosed quote at position 11")
