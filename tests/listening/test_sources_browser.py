"""Editing and deleting sources in a real browser (htmx), on a desktop and on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harken.listening.models import Source
from tests.browser.conftest import browser, log_in, page, screenshot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page) -> None:  # noqa: F811
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_a_manager_edits_a_search_and_deletes_a_feed(page, alice, workspace):  # noqa: F811
    search = Source.objects.create(
        workspace=workspace,
        name="X search: harbor",
        kind="search",
        network="x",
        query="harbor",
        cursor='{"since": "99"}',
    )
    feed = Source.objects.create(
        workspace=workspace,
        name="Local news",
        kind="feed",
        network="feed",
        url="https://n.example/",
    )
    log_in(page, "alice")
    page.goto("/listening/sources/")
    no_sideways_scroll(page)
    page.locator(f"#source-{search.pk}").get_by_role("button", name="Edit").click()
    expect(page.get_by_text("history is kept")).to_be_visible()
    query = page.get_by_label("Search for")
    query.fill("-jobs")  # X refuses a query of exclusions only
    page.get_by_role("button", name="Save").click()
    # Swapped in place: the summary at the top (focused) and the message at the field.
    summary = page.locator("#source-form [data-form-errors]")
    expect(summary).to_contain_text("cannot stand alone")
    expect(summary).to_be_focused()
    expect(page.locator("#source-form small.error")).to_contain_text("cannot stand alone")
    no_sideways_scroll(page)
    screenshot(page, "source-edit-error")
    query.fill("harbor street rings")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved “X search: harbor street rings”.")).to_be_visible()
    search.refresh_from_db()
    assert (search.query, search.cursor) == ("harbor street rings", "")

    row = page.locator(f"#source-{feed.pk}")
    row.get_by_role("button", name="Delete").click()
    expect(row).to_contain_text("Delete “Local news”? Harken stops reading it.")
    no_sideways_scroll(page)
    screenshot(page, "source-delete-confirm")
    row.get_by_role("button", name="Delete").click()
    expect(row).to_have_count(0)
    assert not Source.objects.filter(pk=feed.pk).exists()


@pytest.mark.usefixtures("loopback")
def test_a_manager_adds_a_feed_on_the_sources_page(page, alice, workspace, server):  # noqa: F811
    log_in(page, "alice")
    page.goto("/listening/sources/")
    no_sideways_scroll(page)
    form = page.locator("#add-feed")
    form.get_by_label("Feed address").fill(server.url("/feed.xml"))
    form.get_by_label("Name").fill("Harbor Street blog")
    form.get_by_role("button", name="Add feed").click()
    expect(page.get_by_text("Harken now follows the feed “Harbor Street blog”.")).to_be_visible()
    feed = Source.objects.get(workspace=workspace, kind="feed")
    expect(page.locator(f"#source-{feed.pk}")).to_contain_text("Harbor Street blog")
    no_sideways_scroll(page)
    screenshot(page, "source-feed-added")
