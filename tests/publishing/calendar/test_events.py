"""Holidays, shopping seasons and the business's own events on the calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

from django.core import mail
from django.urls import reverse

from harken.core.models import Notification
from harken.publishing.calendar.events import country_for_zone, events_between, settings_for
from harken.publishing.calendar.reminders import send_reminders
from harken.publishing.calendar.seasons import black_friday, mothers_day, seasons_of
from harken.publishing.models import CalendarSettings, Event


def titles(workspace, first: date, last: date, kind: str) -> dict[str, date]:
    return {e.title: e.first for e in events_between(workspace, first, last) if e.kind == kind}


def test_a_new_york_workspace_shows_us_holidays_without_being_told(workspace):
    assert country_for_zone("America/New_York") == "US"
    assert country_for_zone("UTC") == ""
    assert settings_for(workspace).country == "US"
    found = titles(workspace, date(2026, 2, 1), date(2026, 2, 28), "holiday")
    assert found == {"Washington's Birthday": date(2026, 2, 16)}


def test_a_region_adds_its_own_holidays(workspace):
    CalendarSettings.objects.create(workspace=workspace, country="US", subdivision="MA")
    found = titles(workspace, date(2026, 4, 1), date(2026, 4, 30), "holiday")
    assert found["Patriots' Day"] == date(2026, 4, 20)


def test_a_workspace_in_no_country_has_no_holidays_but_its_seasons(other_workspace):
    assert settings_for(other_workspace).country == ""  # its zone is UTC
    first, last = date(2026, 11, 1), date(2026, 12, 31)
    assert titles(other_workspace, first, last, "holiday") == {}
    assert titles(other_workspace, first, last, "season")["Black Friday"] == date(2026, 11, 27)


def test_shopping_seasons_are_computed_for_each_year():
    assert black_friday(2026) == date(2026, 11, 27)
    assert black_friday(2027) == date(2027, 11, 26)
    seasons = {s.title: s for s in seasons_of(2026, "US")}
    assert seasons["Cyber Monday"].first == date(2026, 11, 30)
    assert seasons["Valentine's Day"].first == date(2026, 2, 14)
    assert seasons["Christmas shopping"].last == date(2026, 12, 24)
    assert seasons["Back to school"].first.month == 7


def test_mothers_day_falls_on_each_countrys_own_day():
    assert mothers_day(2026, "US") == date(2026, 5, 10)  # second Sunday of May
    assert mothers_day(2026, "GB") == date(2026, 3, 15)  # three weeks before Easter
    assert mothers_day(2026, "FR") == date(2026, 5, 31)  # last Sunday of May
    assert mothers_day(2026, "MX") == date(2026, 5, 10)  # always the 10th
    assert mothers_day(2027, "MX") == date(2027, 5, 10)


def test_seasons_can_be_hidden(workspace):
    CalendarSettings.objects.create(workspace=workspace, country="US", show_seasons=False)
    assert titles(workspace, date(2026, 2, 1), date(2026, 2, 28), "season") == {}


def test_the_month_shows_a_holiday_a_season_and_an_own_event(alice_client, workspace):
    Event.objects.create(
        workspace=workspace,
        title="Aurora Lab Diamonds promotion",
        starts=date(2026, 2, 9),
        ends=date(2026, 2, 13),
    )
    response = alice_client.get(reverse("calendar"), {"view": "month", "date": "2026-02-01"})
    page = response.content.decode()
    assert "Washington&#x27;s Birthday" in page
    assert "Valentine&#x27;s Day" in page
    days = {d.day: [e.title for e in d.events] for d in response.context["days"]}
    assert "Aurora Lab Diamonds promotion" in days[date(2026, 2, 13)]
    assert "Aurora Lab Diamonds promotion" not in days[date(2026, 2, 14)]


def test_an_event_offers_to_plan_a_post_in_the_composer(alice_client, workspace):
    event = Event.objects.create(
        workspace=workspace, title="Store anniversary", starts=date(2030, 5, 2)
    )
    page = alice_client.get(reverse("calendar_event", args=[event.pk])).content.decode()
    start = page.index("/calendar/compose/?")
    link = page[start : page.index('"', start)].replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    assert query["event"] == [str(event.pk)]
    assert query["text"] == ["Store anniversary"]
    assert datetime.fromisoformat(query["at"][0]).astimezone(UTC) == datetime(
        2030, 5, 2, 14, 0, tzinfo=UTC
    )  # 10:00 in New York


def test_a_responder_adds_an_event_and_a_bad_one_changes_nothing(bob_client, workspace):
    url = reverse("calendar_events")
    bad = bob_client.post(url, {"title": "Sale", "starts": "2030-05-10", "ends": "2030-05-01"})
    assert bad.status_code == 302 and Event.objects.count() == 0
    page = bob_client.get(reverse("calendar_events")).content.decode()
    assert "The last day comes after the first day." in page
    bob_client.post(url, {"title": "Sale", "starts": "2030-05-10", "ends": "2030-05-12"})
    assert Event.objects.get().title == "Sale"


def test_only_a_manager_changes_which_holidays_show(bob_client, alice_client, workspace):
    url = reverse("calendar_settings")
    assert bob_client.post(url, {"country": "GB"}).status_code == 403
    alice_client.post(url, {"country": "GB", "subdivision": "SCT", "show_seasons": "on"})
    stored = CalendarSettings.objects.get(workspace=workspace)
    assert (stored.country, stored.subdivision) == ("GB", "SCT")


def test_a_region_the_country_does_not_have_is_refused_with_the_known_codes(
    alice_client, workspace
):
    url = reverse("calendar_settings")
    alice_client.post(url, {"country": "US", "subdivision": "ZZ"})
    assert not CalendarSettings.objects.exists()
    page = alice_client.get(url).content.decode()
    assert "US has no region" in page and "NY" in page


def test_a_reminder_goes_to_the_planners_once_n_days_before(workspace, alice, bob, victor):
    event = Event.objects.create(
        workspace=workspace, title="Vendor trunk show", starts=date(2030, 5, 10), remind_days=3
    )
    early = datetime(2030, 5, 6, 15, 0, tzinfo=UTC)
    assert send_reminders(early) == 0
    due = datetime(2030, 5, 7, 15, 0, tzinfo=UTC)  # 11:00 in New York, 3 days before
    assert send_reminders(due) == 1
    assert send_reminders(due) == 0  # once
    told = Notification.objects.filter(kind="event_reminder")
    assert sorted(n.member.user.username for n in told) == ["alice", "bob"]  # not the viewer
    assert told.first().subject == "Vendor trunk show is in 3 days (Fri 10 May)"
    event.refresh_from_db()
    assert event.reminded_at == due
    assert mail.outbox == [] or all("Vendor trunk show" in m.subject for m in mail.outbox)
