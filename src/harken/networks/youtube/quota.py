"""YouTube's daily quota, counted as Harken calls, so Harken stops before Google does.

Google gives each Cloud project (so: this installation) 10,000 units a day, reset at
midnight Pacific Time, shared by every channel connected through it; a call costs what
the quota table says (developers.google.com/youtube/v3/determine_quota_cost, read
2026-12: a list 1 unit, a comment 50, and ``videos.insert`` its own bucket of 100 uploads a
day at 1 each). Every call is charged before it is sent, failed ones too (Google counts
them), in the connected channel's encrypted config under a row lock, and refused when it
would pass the day's quota: reads stop ``WRITE_RESERVE`` units early so answers can still
go out. The day's use is the sum over every YouTube account of the installation, like
Google's own count.

A call made with no saved account (while connecting) is not counted: one unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.db import transaction

from harken.lib.env import env_int
from harken.networks.base import ConnectorError

NETWORK = "youtube"
PACIFIC = ZoneInfo("America/Los_Angeles")
#: Google's default allocation; an installation granted more sets it.
DEFAULT_DAILY_UNITS = 10_000
DEFAULT_DAILY_UPLOADS = 100
#: Units reads leave for replies (ten comments' worth).
WRITE_RESERVE = 500
KEY = "quota"

#: Units per call (Google's quota table).
COSTS = {
    "list": 1,
    "comments.insert": 50,
    "commentThreads.insert": 50,
}


def daily_units() -> int:
    return env_int("HARKEN_YOUTUBE_DAILY_QUOTA", DEFAULT_DAILY_UNITS, minimum=0)


def daily_uploads() -> int:
    return env_int("HARKEN_YOUTUBE_DAILY_UPLOADS", DEFAULT_DAILY_UPLOADS, minimum=0)


def today(now: datetime | None = None) -> date:
    """The quota's day: Pacific Time's."""
    return (now or datetime.now(PACIFIC)).astimezone(PACIFIC).date()


def resets_in(now: datetime | None = None) -> float:
    """Seconds until the next Pacific midnight."""
    now = (now or datetime.now(PACIFIC)).astimezone(PACIFIC)
    midnight = datetime.combine(now.date() + timedelta(days=1), time(), PACIFIC)
    return (midnight - now).total_seconds()


@dataclass(frozen=True)
class Usage:
    """The installation's YouTube quota used today (Pacific Time)."""

    day: date
    units: int
    uploads: int
    limit: int
    upload_limit: int

    @property
    def percent_used(self) -> int:
        return 100 if self.limit <= 0 else min(100, self.units * 100 // self.limit)

    def as_dict(self) -> dict[str, Any]:
        return {
            "quota_day": self.day.isoformat(),
            "quota_units_used": self.units,
            "quota_units_limit": self.limit,
            "quota_percent_used": self.percent_used,
            "uploads_today": self.uploads,
            "uploads_limit": self.upload_limit,
        }


def _counted(config: dict[str, Any], day: date) -> tuple[int, int]:
    kept = config.get(KEY) or {}
    if kept.get("day") != day.isoformat():
        return 0, 0
    return int(kept.get("units") or 0), int(kept.get("uploads") or 0)


def usage(now: datetime | None = None) -> Usage:
    """Today's units and uploads over every YouTube account of the installation."""
    from harken.networks.models import Account

    day = today(now)
    units = uploads = 0
    for config in Account.objects.filter(network=NETWORK).values_list("config", flat=True):
        used, sent = _counted(config if isinstance(config, dict) else {}, day)
        units, uploads = units + used, uploads + sent
    return Usage(day, units, uploads, daily_units(), daily_uploads())


def charge(
    account_id: int | None, units: int, *, upload: bool = False, write: bool = False
) -> None:
    """Count a call before it is sent, or refuse it (a transient ``ConnectorError`` with
    ``retry_after`` at the reset) when it would pass the day's quota."""
    if account_id is None:
        return
    from harken.networks.models import Account

    with transaction.atomic():
        account = Account.objects.select_for_update().filter(pk=account_id).first()
        if account is None:
            return
        now = usage()
        room = now.limit - (0 if write or upload else WRITE_RESERVE)
        if upload and now.uploads + 1 > now.upload_limit:
            raise _spent(f"{now.uploads} of {now.upload_limit} uploads")
        if not upload and now.units + units > room:
            raise _spent(f"{now.units} of {now.limit} units")
        config = dict(cast(dict[str, Any], account.config) or {})
        used, sent = _counted(config, now.day)
        config[KEY] = {
            "day": now.day.isoformat(),
            "units": used + (0 if upload else units),
            "uploads": sent + (1 if upload else 0),
        }
        account.config = cast(Any, config)  # EncryptedJSONField holds a dict
        account.save(update_fields=["config"])


def _spent(used: str) -> ConnectorError:
    wait = resets_in()
    return ConnectorError(
        f"YouTube's daily quota is used up ({used} today); Harken stops calling YouTube "
        f"until it resets at midnight Pacific Time, in {wait / 3600:.1f} h.",
        retry_after=wait,
    )
