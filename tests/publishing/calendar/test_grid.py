"""The days a calendar page shows, in the workspace's time zone, across daylight saving."""

from datetime import UTC, date
from zoneinfo import ZoneInfo

from harken.publishing.calendar import grid

NEW_YORK = ZoneInfo("America/New_York")


def test_a_month_runs_from_the_sunday_before_the_first_to_the_saturday_after_the_last():
    month = grid.window("month", date(2026, 2, 10))
    assert month.first == date(2026, 2, 1)  # a Sunday
    assert month.last == date(2026, 2, 28)  # a Saturday
    assert len(month.weeks) == 4 and all(len(w) == 7 for w in month.weeks)
    assert (month.previous, month.next) == (date(2026, 1, 1), date(2026, 3, 1))
    assert month.title == "February 2026"


def test_a_week_runs_sunday_to_saturday_and_steps_by_seven_days():
    week = grid.window("week", date(2026, 3, 11))
    assert (week.first, week.last) == (date(2026, 3, 8), date(2026, 3, 14))
    assert (week.previous, week.next) == (date(2026, 3, 1), date(2026, 3, 15))


def test_the_day_clocks_go_forward_has_23_hours_and_the_day_they_go_back_25():
    assert grid.day_hours(date(2026, 3, 7), NEW_YORK) == 24
    assert grid.day_hours(date(2026, 3, 8), NEW_YORK) == 23
    assert grid.day_hours(date(2026, 11, 1), NEW_YORK) == 25
    start, end = grid.bounds(date(2026, 3, 8), date(2026, 3, 14), NEW_YORK)
    assert (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() / 3600 == 7 * 24 - 1


def test_a_date_in_the_address_that_is_not_a_date_means_today():
    assert grid.parse_anchor("2026-02-30", date(2026, 1, 5)) == date(2026, 1, 5)
    assert grid.parse_anchor("<script>", date(2026, 1, 5)) == date(2026, 1, 5)
    assert grid.parse_anchor("2026-02-03", date(2026, 1, 5)) == date(2026, 2, 3)
