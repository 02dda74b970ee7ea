"""A click is counted with its time, network and referrer's host; a person's first click
of the day on a link is unique and pledges, within the campaign's dates and cap; bots and
repeats never pledge; addresses are kept only as the day's salted hash."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from harken.publishing.links import clicks
from harken.publishing.links.clicks import (
    Target,
    Visit,
    find_target,
    ip_hash,
    record_click,
    referrer_host,
)
from harken.publishing.models import Campaign, Click, ClickSalt, Link
from tests.publishing.links.conftest import BROWSER

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def visit(address="203.0.113.7", at=NOON, agent=BROWSER, **more) -> Visit:
    return Visit(at=at, address=address, user_agent=agent, **more)


def loaded(link: Link) -> Target:
    target = find_target(link.code)
    assert target is not None
    return target


def total(campaign: Campaign) -> int:
    campaign.refresh_from_db()
    return campaign.pledged_cents


def test_a_click_keeps_its_time_network_and_the_referrers_host_only(link):
    record_click(loaded(link), visit(referrer="https://www.bsky.app/profile/harbor/post/3k?x=1"))

    click = Click.objects.get()
    assert (click.at, click.day, click.network) == (NOON, date(2026, 12, 6), "bluesky")
    assert click.referrer == "bsky.app"
    assert click.workspace_id == link.workspace_id


def test_the_address_is_kept_only_as_a_hash(link):
    click = record_click(loaded(link), visit(address="203.0.113.7"))

    assert "203.0.113.7" not in click.ip_hash
    assert click.ip_hash == ip_hash("203.0.113.7", click.day)
    assert click.ip_hash != ip_hash("203.0.113.8", click.day)
    assert Click.objects.get().ip_hash == click.ip_hash


def test_a_persons_first_click_of_the_day_is_unique_and_pledges(link, campaign):
    first = record_click(loaded(link), visit())
    again = record_click(loaded(link), visit(at=NOON + timedelta(hours=3)))

    assert (first.unique_of_day, first.pledged) == (True, True)
    assert (again.unique_of_day, again.pledged) == (False, False)
    stored = sorted(Click.objects.values_list("unique_of_day", "pledged"))
    assert stored == [(False, False), (True, True)]
    assert total(campaign) == 100


def test_the_next_day_the_same_address_is_unique_again(link, campaign):
    record_click(loaded(link), visit())
    tomorrow = record_click(loaded(link), visit(at=NOON + timedelta(days=1)))

    assert tomorrow.unique_of_day and tomorrow.pledged
    assert total(campaign) == 200


def test_each_day_has_its_own_salt_and_past_days_salts_are_forgotten(link):
    today = record_click(loaded(link), visit())
    tomorrow = record_click(loaded(link), visit(at=NOON + timedelta(days=1)))

    # The same address hashes differently on another day: no joining clicks across days.
    assert today.ip_hash != tomorrow.ip_hash
    assert list(ClickSalt.objects.values_list("day", flat=True)) == [date(2026, 12, 7)]


def test_a_preview_bot_is_counted_apart_and_never_pledges(link, campaign):
    bot = record_click(loaded(link), visit(agent="Twitterbot/1.0"))
    person = record_click(loaded(link), visit())

    assert (bot.is_bot, bot.unique_of_day, bot.pledged) == (True, False, False)
    assert Click.objects.filter(is_bot=True, unique_of_day=False, pledged=False).count() == 1
    assert person.unique_of_day and person.pledged  # the bot took nobody's unique click
    assert total(campaign) == 100


def test_a_head_request_is_a_link_checker_not_a_click(link, campaign):
    click = record_click(loaded(link), visit(method="HEAD"))

    assert click.is_bot and not click.pledged
    assert total(campaign) == 0


def test_pledges_stop_at_the_cap_and_later_clicks_are_still_counted(link, campaign):
    for n in range(14):
        record_click(loaded(link), visit(address=f"198.51.100.{n}"))

    assert total(campaign) == campaign.cap_cents == 1000
    assert Click.objects.filter(unique_of_day=True).count() == 14
    assert Click.objects.filter(pledged=True).count() == 10
    assert campaign.cap_reached


def test_a_pledge_that_would_cross_the_cap_is_not_made(link, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(cap_cents=250)

    for n in range(4):
        record_click(loaded(link), visit(address=f"198.51.100.{n}"))

    assert total(campaign) == 200  # a third dollar would make 300 > 250


def test_outside_the_campaigns_dates_clicks_count_but_do_not_pledge(link, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(
        starts=date(2026, 12, 7), ends=date(2026, 12, 31)
    )

    early = record_click(loaded(link), visit())
    during = record_click(loaded(link), visit(at=NOON + timedelta(days=1)))
    late = record_click(loaded(link), visit(at=datetime(2027, 1, 1, 12, tzinfo=UTC)))

    assert [c.pledged for c in (early, during, late)] == [False, True, False]
    assert all(c.unique_of_day for c in (early, during, late))


def test_the_dates_are_read_in_the_workspaces_time_zone(link, campaign, workspace):
    workspace.time_zone = "America/New_York"
    workspace.save()
    Campaign.objects.filter(pk=campaign.pk).update(ends=date(2026, 12, 6))

    # 03:00 UTC on the 7th is still the evening of the 6th in New York.
    click = record_click(loaded(link), visit(at=datetime(2026, 12, 7, 3, tzinfo=UTC)))

    assert click.pledged


def test_a_link_without_a_campaign_counts_clicks_and_pledges_nothing(workspace):
    link = Link.objects.create(workspace=workspace, destination="https://harbor.example/")

    click = record_click(loaded(link), visit())

    assert click.unique_of_day and not click.pledged


def test_the_referrer_is_reduced_to_its_host():
    assert referrer_host("https://t.co/AbC123") == "t.co"
    assert referrer_host("android-app://com.twitter.android/") == "com.twitter.android"
    assert referrer_host("") == ""
    assert referrer_host("http://[::1") == ""  # malformed: nothing rather than an error


def test_the_salt_cache_holds_only_the_latest_day(link):
    record_click(loaded(link), visit())
    record_click(loaded(link), visit(at=NOON + timedelta(days=1)))

    assert list(clicks._salts) == [date(2026, 12, 7)]
