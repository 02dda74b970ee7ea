"""The sample campaign: a pledge of $1 per unique click, links on four networks and a few
hundred clicks counted by the redirect's own code, the same on every fill."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from harken.publishing.links import demo
from harken.publishing.models import Campaign, Click, ClickSalt, Link

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)


def figures(campaign: Campaign) -> tuple[int, ...]:
    clicks = Click.objects.filter(link__campaign=campaign)
    return (
        clicks.count(),
        clicks.filter(is_bot=True).count(),
        clicks.filter(is_bot=False, unique_of_day=False).count(),
        clicks.filter(pledged=True).count(),
        campaign.pledged_cents,
    )


def test_the_demo_campaign_has_clicks_bots_repeats_and_a_pledge_within_its_cap(workspace):
    campaign = demo.fill(workspace, now=NOW)

    total, bots, repeats, pledged, cents = figures(campaign)
    assert campaign.name == "Rings for a Reason"
    assert 200 <= total <= 600
    assert bots >= 20 and repeats >= 10
    assert cents == pledged * 100 <= campaign.cap_cents
    assert set(Link.objects.values_list("network", flat=True)) == {
        "bluesky",
        "mastodon",
        "x",
        "reddit",
    }
    assert Click.objects.dates("day", "day").count() == 22  # three weeks and today
    assert list(ClickSalt.objects.values_list("day", flat=True)) == [NOW.date()]


def test_filling_again_replaces_the_campaign_with_the_same_figures(workspace):
    first = figures(demo.fill(workspace, now=NOW))
    second = figures(demo.fill(workspace, now=NOW))

    assert first == second
    assert Campaign.objects.count() == 1
