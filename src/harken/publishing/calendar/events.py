"""Everything dated on the calendar besides posts: public holidays of the workspace's
country and region (the ``holidays`` library), shopping seasons, and the business's own
events. One shape for all three, so the views draw them alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import holidays

from harken.core.models import Workspace
from harken.publishing.calendar.seasons import seasons_of
from harken.publishing.models import CalendarSettings, Event

#: Where the system keeps which country each time zone is in (IANA's zone.tab).
ZONE_TAB = Path("/usr/share/zoneinfo/zone.tab")


@dataclass(frozen=True)
class CalendarEvent:
    kind: str  # holiday, season or event
    title: str
    first: date
    last: date
    event_id: int | None = None
    notes: str = ""

    @property
    def spans(self) -> bool:
        return self.last > self.first


@cache
def zone_countries() -> dict[str, str]:
    """Time zone → country code, from the system's zone.tab (empty when it has none)."""
    if not ZONE_TAB.exists():
        return {}
    found = {}
    for line in ZONE_TAB.read_text().splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            if len(parts) >= 3:
                found[parts[2]] = parts[0]
    return found


def country_for_zone(zone: str) -> str:
    """The country a time zone belongs to, where that is obvious (``America/New_York`` →
    US); "" for zones such as UTC that belong to no country."""
    country = zone_countries().get(zone, "")
    return country if country in holidays.list_supported_countries() else ""


def settings_for(workspace: Workspace) -> CalendarSettings:
    """The workspace's calendar settings; a workspace that has none yet gets its time
    zone's country (not saved, so a later change of zone still counts)."""
    stored = CalendarSettings.objects.filter(workspace=workspace).first()
    if stored is not None:
        return stored
    return CalendarSettings(workspace=workspace, country=country_for_zone(workspace.time_zone))


def holidays_between(
    country: str, subdivision: str, first: date, last: date
) -> list[CalendarEvent]:
    if not country:
        return []
    try:
        table = holidays.country_holidays(
            country, subdiv=subdivision or None, years=range(first.year, last.year + 1)
        )
    except NotImplementedError:  # a country or region the library has dropped
        return []
    return [
        CalendarEvent("holiday", name, day, day)
        for day, name in sorted(table.items())
        if first <= day <= last
    ]


def seasons_between(country: str, first: date, last: date) -> list[CalendarEvent]:
    return [
        CalendarEvent("season", s.title, s.first, s.last)
        for year in range(first.year, last.year + 1)
        for s in seasons_of(year, country)
        if s.first <= last and s.last >= first
    ]


def own_events_between(workspace: Workspace, first: date, last: date) -> list[CalendarEvent]:
    rows = (
        Event.objects.filter(workspace=workspace, starts__lte=last)
        .exclude(ends__lt=first)
        .exclude(ends__isnull=True, starts__lt=first)
    )
    return [CalendarEvent("event", e.title, e.starts, e.last_day, e.pk, e.notes) for e in rows]


def events_between(workspace: Workspace, first: date, last: date) -> list[CalendarEvent]:
    """Holidays, seasons and own events that touch the days ``first``–``last``."""
    settings = settings_for(workspace)
    found = holidays_between(settings.country, settings.subdivision, first, last)
    if settings.show_seasons:
        found += seasons_between(settings.country, first, last)
    found += own_events_between(workspace, first, last)
    order = {"holiday": 0, "season": 1, "event": 2}
    return sorted(found, key=lambda e: (e.first, order[e.kind], e.title))
