"""The calendar as an iCalendar feed (RFC 5545), written by hand: one VEVENT per
variant (a 15-minute slot at its time, in UTC) and one all-day VEVENT per own event.

Text is escaped (backslash, semicolon, comma, newline) and lines are folded at 75
octets without splitting a UTF-8 character, as the RFC asks.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from harken.core.models import Workspace
from harken.networks.registry import network_label
from harken.publishing.calendar.board import first_words
from harken.publishing.models import Event, Variant
from harken.publishing.states import State

PRODID = "-//Harken//Content calendar//EN"
SLOT = timedelta(minutes=15)


def escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """``line`` folded into lines of at most 75 octets (continuations begin with a space)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current, size, limit = [], "", 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, 74  # the leading space takes one octet
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def day_stamp(day: date) -> str:
    return day.strftime("%Y%m%d")


def feed(
    workspace: Workspace,
    variants: Iterable[Variant],
    events: Iterable[Event],
    now: datetime,
    host: str,
) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{escape(workspace.name)} · Harken",
    ]
    for v in variants:
        assert v.scheduled_at is not None
        label = network_label(v.account.network)
        said = f"{State(v.state).label} · {v.account.handle} on {label}\n{v.text}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:variant-{v.pk}@{host}",
            f"DTSTAMP:{stamp(now)}",
            f"DTSTART:{stamp(v.scheduled_at)}",
            f"DTEND:{stamp(v.scheduled_at + SLOT)}",
            f"SUMMARY:{escape(f'{label}: {first_words(v.text, 60)}')}",
            f"DESCRIPTION:{escape(said)}",
            f"CATEGORIES:{escape(State(v.state).label)}",
            "END:VEVENT",
        ]
    for e in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:event-{e.pk}@{host}",
            f"DTSTAMP:{stamp(now)}",
            f"DTSTART;VALUE=DATE:{day_stamp(e.starts)}",
            f"DTEND;VALUE=DATE:{day_stamp(e.last_day + timedelta(days=1))}",
            f"SUMMARY:{escape(e.title)}",
            *([f"DESCRIPTION:{escape(e.notes)}"] if e.notes else []),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def workspace_feed(
    workspace: Workspace, now: datetime, host: str, days_back: int = 30, days_ahead: int = 180
) -> str:
    """The workspace's posts from ``days_back`` ago to ``days_ahead`` ahead, and its events."""
    first, end = now - timedelta(days=days_back), now + timedelta(days=days_ahead)
    variants = (
        Variant.objects.filter(workspace=workspace, scheduled_at__gte=first, scheduled_at__lt=end)
        .select_related("account")
        .order_by("scheduled_at", "pk")
    )
    events = Event.objects.filter(
        workspace=workspace, starts__gte=first.date() - timedelta(days=365)
    )
    return feed(workspace, variants, events, now, host)
