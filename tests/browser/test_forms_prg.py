"""In a real Chromium: a refused topic, feed or source form comes back as its page's GET
(post/redirect/get), its summary focused at the top, so a reload does not post it again;
the source form sent by htmx gets its summary swapped in place."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from harken.listening.models import Source, Topic
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _reload_is_a_get(page) -> None:
    methods: list[str] = []
    page.on(
        "request", lambda r: methods.append(r.method) if r.resource_type == "document" else None
    )
    page.reload()
    assert methods == ["GET"]
    expect(page.locator("[data-form-errors]")).to_have_count(0)


def test_a_refused_topic_form_is_summarised_and_a_reload_is_a_get(page, alice):
    log_in(page, "alice")
    page.goto("/listening/topics/new/")
    page.get_by_label("Name").fill("Rivals")
    page.get_by_label("Query").fill("globex (rings")  # only the server refuses it
    page.get_by_role("button", name="Create topic").click()
    assert urlsplit(page.url).path == "/listening/topics/new/"
    summary = page.locator("[data-form-errors]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Expected a closing ) for the ( at position 8")
    assert summary.bounding_box()["y"] < page.viewport_size["height"]
    # What was typed is back, and the summary's link leads to the field in error.
    expect(page.get_by_label("Name")).to_have_value("Rivals")
    expect(page.get_by_label("Query")).to_have_value("globex (rings")
    screenshot(page, "topic-refused")
    summary.get_by_role("link", name="Query").click()
    expect(page.get_by_label("Query")).to_be_focused()
    _reload_is_a_get(page)
    expect(page.get_by_label("Query")).to_have_value("")
    assert not Topic.objects.exists()


def test_a_refused_feed_comes_back_on_its_own_address_and_a_reload_is_a_get(page, alice, settings):
    settings.HTTP_ALLOW_LOOPBACK = False
    log_in(page, "alice")
    page.goto("/listening/sources/")
    form = page.locator("#add-feed")
    form.get_by_label("Feed address").fill("http://10.0.0.8/rss")
    form.get_by_role("button", name="Add feed").click()
    assert urlsplit(page.url).path == "/listening/sources/feeds/new/"
    summary = page.locator("#add-feed [data-form-errors]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("private or reserved address")
    expect(page.locator("#add-feed").get_by_label("Feed address")).to_have_value(
        "http://10.0.0.8/rss"
    )
    _reload_is_a_get(page)
    assert not Source.objects.exists()


def test_a_source_edit_sent_by_htmx_is_refused_in_place(page, alice, workspace):
    for query in ("harbor street", "rings"):
        Source.objects.create(
            workspace=workspace, name=f"X search: {query}", kind="search", network="x", query=query
        )
    source = Source.objects.get(query="harbor street")
    log_in(page, "alice")
    page.goto(f"/listening/sources/{source.pk}/edit/")
    page.get_by_label("Search for").fill("rings")
    posts: list[str] = []
    page.on(
        "request",
        lambda r: posts.append(r.resource_type) if r.method == "POST" else None,
    )
    page.get_by_role("button", name="Save").click()
    summary = page.locator("#source-form [data-form-errors]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("already runs that search as “X search: rings”")
    # One htmx request, no navigation: the page's address is still the edit page's GET.
    assert posts == ["xhr"] or posts == ["fetch"]
    assert urlsplit(page.url).path == f"/listening/sources/{source.pk}/edit/"
    _reload_is_a_get(page)
    source.refresh_from_db()
    assert source.query == "harbor street"
