"""The stream and sources pages in a real browser, on a desktop and on a phone (390px)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harken.listening.models import Mention, Source
from harken.listening.pipeline import ingest
from tests.browser.conftest import browser, log_in, page, screenshot  # noqa: F401 (fixtures)
from tests.listening.helpers import item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "https://example.social/" + "a" * 120


def _fill(workspace) -> Source:
    source = Source.objects.create(
        workspace=workspace,
        name="Mastodon search with a rather long name for a small screen",
        kind=Source.Kind.SEARCH,
        network="mastodon",
        last_error="HTTP 503 from mastodon.example: Service Unavailable, try again later",
    )
    ingest(
        source,
        [
            item("1", text='<img src=x onerror="document.title=1"> Is the shop open today?'),
            item("2", text=f"Lovely ring, look: {LONG}", minutes=3, author_followers=125000),
        ],
    )
    return source


def test_a_responder_reads_the_stream_and_corrects_a_sentiment(page, workspace, bob):  # noqa: F811
    _fill(workspace)
    Mention.objects.update(sentiment="neutral")  # whatever the analysis said
    log_in(page, "bob")
    page.goto("/listening/")
    first = page.locator(f"#mention-{Mention.objects.get(external_id='1').pk}")
    expect(first).to_contain_text('<img src=x onerror="document.title=1">')
    assert page.title() != "1"
    expect(page.get_by_text("125,000 followers")).to_be_visible()
    first.get_by_text("Correct").click()
    first.get_by_role("button", name="Negative").click()
    expect(
        page.locator(f"#mention-{Mention.objects.get(external_id='1').pk} .badge.negative")
    ).to_be_visible()
    assert Mention.objects.get(external_id="1").sentiment == "negative"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    screenshot(page, "stream")


def test_the_sources_page_fits_a_phone(page, workspace, alice):  # noqa: F811
    _fill(workspace)
    log_in(page, "alice")
    page.goto("/listening/sources/")
    expect(page.get_by_text("Service Unavailable, try again later")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    screenshot(page, "sources")


@pytest.mark.parametrize(
    "query", ["?q=ring", "?q=ring&sentiment=positive&language=en&since=2026-11-01"]
)
def test_filters_in_use_do_not_push_the_first_mention_down(page, workspace, alice, query):  # noqa: F811
    source = Source.objects.create(
        workspace=workspace, name="Search", kind=Source.Kind.SEARCH, network="mastodon"
    )
    ingest(source, [item(str(n), text=f"My ring, take {n}", minutes=n) for n in range(30)])
    Mention.objects.update(sentiment="positive", language="en")
    log_in(page, "alice")

    def first_top(url: str) -> float:
        page.goto(url)
        first = page.locator("article.mention").first
        expect(first).to_be_visible()
        return first.bounding_box()["y"]

    plain, filtered = first_top("/listening/"), first_top(f"/listening/{query}")
    height = page.viewport_size["height"]
    # On the first half of the screen, a line of chips at most below where it starts
    # without filters (the open panel used to take most of a phone's screen).
    assert filtered < height / 2, f"the first mention starts at {filtered:.0f} px of {height}"
    assert filtered - plain <= 60, f"filters push the first mention {filtered - plain:.0f} px down"
    # The filters are one tap away, and their panel opens in place.
    page.locator("details.filters > summary").click()
    expect(page.locator("select[name=sentiment]")).to_be_visible()
    if "sentiment" in query:
        expect(page.get_by_role("link", name="Sentiment: Positive")).to_be_visible()
        screenshot(page, "stream-filtered")
