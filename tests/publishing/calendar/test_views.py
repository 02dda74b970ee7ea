"""The month, week and list views: one chip per variant on its local day and hour."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse

from harken.publishing.states import State
from tests.publishing.calendar.conftest import plan

NEW_YORK = ZoneInfo("America/New_York")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NEW_YORK)


def chips(response) -> dict[str, list]:
    """Local date → the chips' (hh:mm, variant id) on it, as the page laid them out."""
    found: dict[str, list] = {}
    for day in response.context["days"]:
        found[day.day.isoformat()] = [(f"{c.at:%H:%M}", c.variant_id) for c in day.chips]
    return found


def test_a_post_at_nine_local_lands_at_nine_on_its_day_either_side_of_the_clock_change(
    alice_client, shop
):
    # Clocks go forward in New York at 02:00 on Sunday 8 March 2026: 09:00 is 14:00 UTC
    # the day before and 13:00 UTC the day after.
    before = plan(shop, at(2026, 3, 7, 9, 0))
    after = plan(shop, at(2026, 3, 9, 9, 0))
    assert before.scheduled_at.utcoffset() != after.scheduled_at.utcoffset()
    month = chips(alice_client.get(reverse("calendar"), {"view": "month", "date": "2026-03-01"}))
    assert month["2026-03-07"] == [("09:00", before.pk)]
    assert month["2026-03-09"] == [("09:00", after.pk)]
    assert month["2026-03-08"] == []


def test_the_week_of_the_clock_change_has_one_hour_less_and_each_post_in_its_hour(
    alice_client, shop
):
    sunday = plan(shop, at(2026, 3, 8, 9, 0))
    monday = plan(shop, at(2026, 3, 9, 9, 0))
    response = alice_client.get(reverse("calendar"), {"view": "week", "date": "2026-03-10"})
    days = response.context["days"]
    assert [d.hours for d in days] == [23, 24, 24, 24, 24, 24, 24]
    assert [c.variant_id for c in days[0].by_hour[9]] == [sunday.pk]
    assert [c.variant_id for c in days[1].by_hour[9]] == [monday.pk]
    page = response.content.decode()
    assert "23-hour day: clocks go forward" in page


def test_the_week_the_clocks_go_back_has_a_25_hour_day(alice_client, shop):
    response = alice_client.get(reverse("calendar"), {"view": "week", "date": "2026-11-01"})
    assert response.context["days"][0].hours == 25
    assert "25-hour day: clocks go back" in response.content.decode()


def test_a_post_late_in_the_evening_is_on_the_local_day_not_the_utc_one(alice_client, shop):
    late = plan(shop, at(2026, 2, 10, 22, 30))  # 03:30 UTC on the 11th
    month = chips(alice_client.get(reverse("calendar"), {"view": "month", "date": "2026-02-01"}))
    assert month["2026-02-10"] == [("22:30", late.pk)]
    assert month["2026-02-11"] == []


def test_a_chip_shows_time_account_network_first_words_and_state_escaped(alice_client, shop):
    plan(shop, at(2026, 2, 10, 12, 0), text="<img src=x onerror=alert(1)> Engraving ideas for her")
    page = alice_client.get(reverse("calendar"), {"view": "month", "date": "2026-02-01"})
    html = page.content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; Engraving ideas" in html
    assert "12 p.m." in html or "12 pm" in html.lower()
    assert "net-mastodon" in html and "Scheduled" in html
    assert 'class="chip post-chip acct-' in html


def test_every_account_keeps_its_colour_from_page_to_page(alice_client, shop, sky):
    plan(shop, at(2026, 2, 10, 12, 0))
    plan(sky, at(2026, 2, 10, 13, 0))
    first = alice_client.get(reverse("calendar"), {"view": "month", "date": "2026-02-01"})
    second = alice_client.get(reverse("calendar"), {"view": "list", "date": "2026-02-09"})
    colours = [
        {c.account_id: c.colour for d in r.context["days"] for c in d.chips}
        for r in (first, second)
    ]
    assert colours[0] == colours[1]
    assert colours[0][shop.pk] != colours[0][sky.pk]


def test_the_filters_keep_one_account_or_one_state(alice_client, shop, sky):
    a = plan(shop, at(2026, 2, 10, 12, 0))
    b = plan(sky, at(2026, 2, 10, 13, 0), state=State.AWAITING_APPROVAL)
    url = reverse("calendar")
    by_account = alice_client.get(url, {"date": "2026-02-01", "account": sky.pk})
    assert [c.variant_id for d in by_account.context["days"] for c in d.chips] == [b.pk]
    by_state = alice_client.get(url, {"date": "2026-02-01", "state": "scheduled"})
    assert [c.variant_id for d in by_state.context["days"] for c in d.chips] == [a.pk]
    junk = alice_client.get(url, {"date": "2026-02-01", "state": "nope", "account": "x"})
    assert len([c for d in junk.context["days"] for c in d.chips]) == 2


def test_navigation_goes_to_the_previous_and_next_month_and_back_to_today(alice_client, shop):
    html = alice_client.get(reverse("calendar"), {"view": "month", "date": "2026-02-14"}).content
    page = html.decode()
    assert "date=2026-01-01" in page and "date=2026-03-01" in page
    assert "February 2026" in page


def test_the_list_view_shows_only_days_with_posts_or_events(alice_client, shop):
    plan(shop, at(2026, 2, 10, 12, 0))
    response = alice_client.get(reverse("calendar"), {"view": "list", "date": "2026-02-09"})
    listed = [d.day.day.isoformat() for d in response.context["list_days"]]
    assert "2026-02-10" in listed and "2026-02-12" not in listed


def test_another_workspaces_posts_never_show(alice_client, charlie, other_workspace):
    from harken.networks.models import Account

    theirs = Account.objects.create(workspace=other_workspace, network="mastodon", handle="@r")
    plan(theirs, at(2026, 2, 10, 12, 0), text="Rival secret")
    page = alice_client.get(reverse("calendar"), {"date": "2026-02-01"}).content.decode()
    assert "Rival secret" not in page


def test_the_month_view_takes_a_handful_of_queries_however_many_posts(
    alice_client, shop, sky, django_assert_max_num_queries
):
    for day in range(1, 28):
        plan(shop if day % 2 else sky, at(2026, 2, day, 10, 0), text=f"Post number {day}")
    with django_assert_max_num_queries(14):
        alice_client.get(reverse("calendar"), {"date": "2026-02-01"})


def test_an_empty_calendar_says_no_posts_are_planned(alice_client):
    assert "No posts planned yet" in alice_client.get(reverse("calendar")).content.decode()


def test_a_viewer_sees_the_calendar_but_cannot_drag(client, victor, shop):
    from tests.conftest import client_for

    plan(shop, at(2026, 2, 10, 12, 0))
    page = client_for(victor).get(reverse("calendar"), {"date": "2026-02-01"}).content.decode()
    assert 'draggable="true"' not in page and "New post" not in page


def test_the_list_names_a_running_season_on_its_first_day_only(alice_client, shop):
    response = alice_client.get(reverse("calendar"), {"view": "list", "date": "2026-02-09"})
    listed = {
        d.day.day.isoformat(): [e.title for e in d.events] for d in response.context["list_days"]
    }
    assert "Valentine's season" in listed["2026-02-09"]  # running since the 1st
    assert "Valentine's Day" in listed["2026-02-14"]
    assert all(
        "Valentine's season" not in titles for day, titles in listed.items() if day > "2026-02-09"
    )


def _second_variant(first, account, at_: datetime | None = None, **fields):
    from harken.publishing.models import Variant

    return Variant.objects.create(
        workspace=first.workspace,
        post=first.post,
        account=account,
        text=first.text,
        state=fields.pop("state", first.state),
        scheduled_at=at_ or first.scheduled_at,
        **fields,
    )


def test_a_post_on_two_accounts_is_one_chip_with_a_dot_per_account(alice_client, shop, sky):
    first = plan(shop, at(2026, 2, 10, 12, 0), text="Engraving ideas for her")
    second = _second_variant(first, sky, state=State.FAILED, error="Bluesky said no")
    alone = _second_variant(first, sky, at(2026, 2, 11, 9, 0))  # its own queue slot
    response = alice_client.get(reverse("calendar"), {"view": "month", "date": "2026-02-01"})
    posts = {d.day.isoformat(): d.posts for d in response.context["days"]}
    [together] = posts["2026-02-10"]
    assert [c.variant_id for c in together.chips] == [first.pk, second.pk]
    assert together.state == State.FAILED  # what needs a person colours the chip
    assert together.state_words == "1 scheduled · 1 failed"
    assert [c.variant_id for p in posts["2026-02-11"] for c in p.chips] == [alone.pk]
    html = response.content.decode()
    assert html.count(f'data-post="{first.post_id}"') == 2
    assert f'data-variants="{first.pk} {second.pk}"' in html
    assert html.count('class="dot acct-') == 3


def test_the_week_is_an_hour_grid_with_each_post_in_its_hour_and_the_skipped_hour_marked(
    alice_client, shop
):
    nine = plan(shop, at(2026, 3, 8, 9, 30))
    response = alice_client.get(reverse("calendar"), {"view": "week", "date": "2026-03-08"})
    rows = dict(response.context["hour_rows"])
    assert len(rows) == 24
    sunday = {hour: cells[0] for hour, cells in rows.items()}
    assert [c.variant_id for p in sunday[9].posts for c in p.chips] == [nine.pk]
    assert not sunday[2].exists  # 02:00-02:59 does not happen that night
    assert all(cells[1].exists for cells in rows.values())
    html = response.content.decode()
    assert 'data-date="2026-03-08" data-hour="9"' in html
    assert 'data-date="2026-03-08" data-hour="2"' not in html
    assert "this hour does not happen" in html


def test_the_hour_the_clocks_go_back_through_twice_shows_each_posts_offset(alice_client, shop):
    from zoneinfo import ZoneInfo as Zone

    first = plan(shop, datetime(2026, 11, 1, 5, 30, tzinfo=Zone("UTC")))  # 01:30 EDT
    second = plan(shop, datetime(2026, 11, 1, 6, 30, tzinfo=Zone("UTC")))  # 01:30 EST
    response = alice_client.get(reverse("calendar"), {"view": "week", "date": "2026-11-01"})
    one = dict(response.context["hour_rows"])[1][0]
    assert one.repeated
    assert [p.post_id for p in one.posts] == [first.post_id, second.post_id]
    html = response.content.decode()
    assert "1:30 a.m. EDT" in html and "1:30 a.m. EST" in html
