"""The period a report covers: a calendar month or an ISO week (Monday to Sunday)."""

from __future__ import annotations

import datetime as dt

from harken.analytics.periods import Period


def month(text: str) -> Period:
    """ "2026-10" → 1 to 31 October 2026; ValueError for anything else."""
    year, _, number = text.partition("-")
    first = dt.date(int(year), int(number), 1)
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return Period(first, following - dt.timedelta(days=1))


def week(text: str) -> Period:
    """ "2026-W40" (ISO week) or any date in the week ("2026-10-01") → Monday to Sunday."""
    if "W" in text.upper():
        year, _, number = text.upper().partition("-W")
        monday = dt.date.fromisocalendar(int(year), int(number), 1)
    else:
        day = dt.date.fromisoformat(text)
        monday = day - dt.timedelta(days=day.weekday())
    return Period(monday, monday + dt.timedelta(days=6))


def last_complete(cadence: str, today: dt.date) -> Period:
    """The last whole week (Monday–Sunday) or month before ``today``."""
    if cadence == "weekly":
        return week((today - dt.timedelta(days=7)).isoformat())
    last = today.replace(day=1) - dt.timedelta(days=1)
    return month(f"{last.year}-{last.month}")
