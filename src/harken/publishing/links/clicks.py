"""Counting a click, and pledging for it without ever crossing the campaign's cap.

This is the work of every ``/l/<code>`` redirect, so it is written as three plain SQL
statements on the models' tables rather than through the ORM, whose query building cost
a redirect more than everything else together (see ``bench/links.py``):

- ``find_target``: one SELECT of the link joined with its campaign and workspace;
- ``record_click``: for a bot's visit, one INSERT; for a person's, one transaction
  holding the pledge's conditional UPDATE and the click's INSERT as the day's unique
  click. When the INSERT meets the unique constraint (the address clicked this link
  earlier today) the transaction, pledge included, is rolled back and the click is
  stored again as a repeat. So a pledge exists exactly when a unique click does,
  whichever click of a crowd wins.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, connection, transaction

from harken.core.models import Workspace
from harken.publishing import signals
from harken.publishing.links.bots import is_bot
from harken.publishing.models import Campaign, Click, ClickSalt, Link
from harken.publishing.models.links import with_utm

_salts: dict[date, str] = {}


@dataclass(frozen=True)
class Visit:
    """What a redirect knows of the visitor: only what counting needs."""

    at: datetime
    address: str
    user_agent: str = ""
    referrer: str = ""
    method: str = "GET"


def day_salt(day: date) -> str:
    """The salt of ``day`` (UTC), made on its first click; older days' salts are deleted,
    so their hashes can no longer be matched to any address."""
    salt = _salts.get(day)
    if salt is None:
        row, made = ClickSalt.objects.get_or_create(
            day=day, defaults={"salt": secrets.token_hex(32)}
        )
        if made:
            ClickSalt.objects.filter(day__lt=day).delete()
        _salts.clear()  # keep only today's: yesterday's must not outlive its row
        _salts[day] = salt = row.salt
    return salt


def ip_hash(address: str, day: date) -> str:
    digest = hmac.new(day_salt(day).encode(), address.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def referrer_host(referrer: str) -> str:
    """The referring page's host alone ("t.co"), lower case, without "www."."""
    try:
        host = urlsplit(referrer.strip()).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")[:255]


@dataclass(frozen=True)
class Target:
    """What a redirect needs of a link: where it goes and whom a click there pledges for."""

    link_id: int
    workspace_id: int
    destination: str
    utm: dict[str, Any]
    network: str
    campaign_id: int | None
    pledge_cents: int
    starts: date | None
    ends: date | None
    time_zone: str

    @property
    def url(self) -> str:
        return with_utm(self.destination, self.utm)


@dataclass(frozen=True)
class Counted:
    """How a click was counted."""

    day: date
    ip_hash: str
    is_bot: bool
    unique_of_day: bool
    pledged: bool


@cache
def _sql() -> dict[str, str]:
    """The statements, with the tables' and columns' names as the models say them (no
    value is ever formatted in: they are all parameters)."""
    q = connection.ops.quote_name
    link, campaign, click = Link._meta.db_table, Campaign._meta.db_table, Click._meta.db_table
    workspace = Workspace._meta.db_table
    columns = [
        "workspace_id", "link_id", "at", "day", "network", "referrer",
        "is_bot", "ip_hash", "unique_of_day", "pledged",
    ]  # fmt: skip
    return {
        "find": (
            f"SELECT l.id, l.workspace_id, l.destination, l.utm, l.network, l.campaign_id,"  # noqa: S608
            f" c.pledge_cents, c.starts, c.ends, w.time_zone"
            f" FROM {q(link)} l JOIN {q(workspace)} w ON w.id = l.workspace_id"
            f" LEFT JOIN {q(campaign)} c ON c.id = l.campaign_id WHERE l.code = %s"
        ),
        # The cap's whole guarantee: the database adds only where the sum stays within
        # the cap, under the row's lock, so clicks at the same moment in any number of
        # processes never push the total over it.
        "pledge": (
            f"UPDATE {q(campaign)} SET pledged_cents = pledged_cents + %s"  # noqa: S608
            f" WHERE id = %s AND pledged_cents + %s <= cap_cents"
        ),
        "insert": (
            f"INSERT INTO {q(click)} ({', '.join(q(c) for c in columns)})"  # noqa: S608
            f" VALUES ({', '.join(['%s'] * len(columns))})"
        ),
    }


def find_target(code: str) -> Target | None:
    """The link of ``code``, with its campaign's pledge and dates, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(_sql()["find"], [code])
        row = cursor.fetchone()
    if row is None:
        return None
    link_id, workspace_id, destination, utm, network, campaign_id, pledge, starts, ends, zone = row
    return Target(
        link_id=link_id,
        workspace_id=workspace_id,
        destination=destination,
        utm=json.loads(utm) if isinstance(utm, str) else (utm or {}),
        network=network,
        campaign_id=campaign_id,
        pledge_cents=pledge or 0,
        starts=_date(starts),
        ends=_date(ends),
        time_zone=zone,
    )


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def pledge(campaign_id: int, amount: int) -> bool:
    """Add ``amount`` to the campaign's total if the total stays within the cap."""
    with connection.cursor() as cursor:
        cursor.execute(_sql()["pledge"], [amount, campaign_id, amount])
        pledged = cursor.rowcount == 1
    if not pledged:  # the cap: receivers say so once per campaign and cap
        signals.campaign_cap_reached.send(Campaign, campaign_id=campaign_id)
    return pledged


def may_pledge(target: Target, at: datetime) -> bool:
    """Whether a unique human click at ``at`` is one the campaign pays for: it pledges,
    and ``at`` falls within its dates in the workspace's time zone."""
    if target.campaign_id is None or target.pledge_cents <= 0:
        return False
    try:
        zone = zoneinfo.ZoneInfo(target.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    day = at.astimezone(zone).date()
    return (target.starts is None or target.starts <= day) and (
        target.ends is None or day <= target.ends
    )


def record_click(target: Target, visit: Visit) -> Counted:
    """Store one visit of the link and pledge for it when it is the day's first human
    visit from that address."""
    day = visit.at.astimezone(UTC).date()
    bot = visit.method != "GET" or is_bot(visit.user_agent)  # HEAD: a link checker
    hashed = ip_hash(visit.address, day)
    row = [
        target.workspace_id,
        target.link_id,
        connection.ops.adapt_datetimefield_value(visit.at),
        connection.ops.adapt_datefield_value(day),
        target.network,
        referrer_host(visit.referrer),
        bot,
        hashed,
    ]
    if bot:
        _insert(row, unique=False, pledged=False)
        return Counted(day, hashed, True, False, False)
    try:
        with transaction.atomic():
            pledged = may_pledge(target, visit.at) and pledge(
                target.campaign_id,  # type: ignore[arg-type]
                target.pledge_cents,
            )
            _insert(row, unique=True, pledged=pledged)
    except IntegrityError:  # a repeat: the address clicked this link earlier today
        _insert(row, unique=False, pledged=False)
        return Counted(day, hashed, False, False, False)
    return Counted(day, hashed, False, True, pledged)


def _insert(row: list[Any], *, unique: bool, pledged: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_sql()["insert"], [*row, unique, pledged])
