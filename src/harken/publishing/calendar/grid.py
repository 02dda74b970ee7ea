"""Which days a calendar page shows, and where those days begin and end.

Pure date arithmetic in the workspace's time zone. A day is from its local midnight to
the next one, so the day clocks go forward has 23 hours and the day they go back has 25:
``day_bounds`` says so, and a post at 09:00 local lands at 09:00 on its own day whatever
the offset from UTC is that day.
"""

from __future__ import annotations

import calendar as stdcal
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

KINDS = ("month", "week", "list")
#: Days the list (agenda) view shows from its first day.
LIST_DAYS = 14


@dataclass(frozen=True)
class Window:
    """The days one page of the calendar shows."""

    kind: str
    anchor: date
    first: date
    last: date  # inclusive
    previous: date
    next: date
    title: str

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def weeks(self) -> list[list[date]]:
        days = self.days
        return [days[i : i + 7] for i in range(0, len(days), 7)]


def week_start(day: date) -> date:
    """The Sunday on or before ``day`` (weeks run Sunday to Saturday, as in the pictures)."""
    return day - timedelta(days=(day.weekday() + 1) % 7)


def window(kind: str, anchor: date) -> Window:
    """The page of ``kind`` (month, week, list) that holds ``anchor``."""
    if kind == "month":
        first_of_month = anchor.replace(day=1)
        days_in = stdcal.monthrange(anchor.year, anchor.month)[1]
        last_of_month = anchor.replace(day=days_in)
        first = week_start(first_of_month)
        last = week_start(last_of_month) + timedelta(days=6)
        previous = (first_of_month - timedelta(days=1)).replace(day=1)
        following = last_of_month + timedelta(days=1)
        return Window(kind, anchor, first, last, previous, following, f"{anchor:%B %Y}")
    if kind == "week":
        first = week_start(anchor)
        last = first + timedelta(days=6)
        title = f"{first:%-d %b} – {last:%-d %b %Y}"
        return Window(
            kind, anchor, first, last, first - timedelta(days=7), first + timedelta(days=7), title
        )
    last = anchor + timedelta(days=LIST_DAYS - 1)
    step = timedelta(days=LIST_DAYS)
    title = f"{anchor:%-d %b} – {last:%-d %b %Y}"
    return Window("list", anchor, anchor, last, anchor - step, anchor + step, title)


def midnight(day: date, zone: ZoneInfo) -> datetime:
    """The moment ``day`` begins in ``zone``."""
    return datetime.combine(day, time(0), tzinfo=zone)


def bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """From the start of ``first`` to the start of the day after ``last``, in ``zone``."""
    return midnight(first, zone), midnight(last + timedelta(days=1), zone)


def day_hours(day: date, zone: ZoneInfo) -> float:
    """How many hours ``day`` lasts in ``zone``: 24, or 23 and 25 on daylight-saving days."""
    start, end = bounds(day, day, zone)
    # In UTC: Python subtracts two times of one zone by their wall clocks, which would
    # make every day 24 hours long.
    return (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() / 3600


def hour_kind(day: date, hour: int, zone: ZoneInfo) -> tuple[bool, bool]:
    """(exists, repeated) for wall-clock ``hour`` of ``day`` in ``zone``: the hour the
    clocks skip does not exist (02:00 the night they go forward in New York), the hour
    they go back through comes twice."""
    wall = datetime.combine(day, time(hour), tzinfo=zone)
    back = wall.astimezone(UTC).astimezone(zone)
    exists = back.replace(tzinfo=None) == wall.replace(tzinfo=None)
    repeated = exists and wall.replace(fold=1).utcoffset() != wall.utcoffset()
    return exists, repeated


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone)


def parse_anchor(raw: str | None, today: date) -> date:
    """The date in the address (YYYY-MM-DD), or today when it is missing or not a date."""
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return today
