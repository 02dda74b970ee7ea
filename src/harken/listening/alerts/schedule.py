"""When an alert goes out: now, at the end of quiet hours, or with the next digest.

Quiet hours and digest times are read in the workspace's time zone. A window whose start
is after its end (22:00–07:00) runs across midnight.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from harken.listening.models import AlertRule

#: Local hour at which daily digests go out: the start of a working day.
DAILY_DIGEST_HOUR = dt.time(8, 0)


def workspace_zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def quiet_until(rule: AlertRule, moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime | None:
    """The end of the quiet window ``moment`` falls in, or None when it is not quiet."""
    if not rule.has_quiet_hours or rule.urgent or rule.quiet_start == rule.quiet_end:
        return None
    start, end = rule.quiet_start, rule.quiet_end
    assert start is not None and end is not None
    local = moment.astimezone(zone)
    now, day = local.time(), local.date()
    if start < end:
        end_day = day if start <= now < end else None
    elif now >= start:
        end_day = day + dt.timedelta(days=1)
    else:
        end_day = day if now < end else None
    if end_day is None:
        return None
    return dt.datetime.combine(end_day, end, tzinfo=zone).astimezone(dt.UTC)


def release_time(rule: AlertRule, now: dt.datetime, zone: dt.tzinfo) -> dt.datetime | None:
    """When an event noticed at ``now`` is sent; None means right away (no digest)."""
    if rule.mode == AlertRule.Mode.HOURLY:
        due = _next_local_hour(now, zone)
    elif rule.mode == AlertRule.Mode.DAILY:
        due = _next_daily(now, zone)
    else:
        return quiet_until(rule, now, zone)
    return quiet_until(rule, due, zone) or due


def _next_local_hour(now: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    # Floor in local time (zones such as Asia/Kolkata are offset by half an hour), then
    # step in UTC so a DST change does not skip or repeat the hour.
    floor = now.astimezone(zone).replace(minute=0, second=0, microsecond=0)
    return floor.astimezone(dt.UTC) + dt.timedelta(hours=1)


def _next_daily(now: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    local = now.astimezone(zone)
    due = dt.datetime.combine(local.date(), DAILY_DIGEST_HOUR, tzinfo=zone)
    if due <= local:
        due = dt.datetime.combine(
            local.date() + dt.timedelta(days=1), DAILY_DIGEST_HOUR, tzinfo=zone
        )
    return due.astimezone(dt.UTC)
