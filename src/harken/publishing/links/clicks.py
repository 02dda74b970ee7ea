"""Counting a click, and pledging for it without ever crossing the campaign's cap.

``record_click`` does the database work of one redirect: one INSERT for a bot's visit;
for a person's, one transaction holding the pledge's conditional UPDATE and the click's
INSERT as the day's unique click. When the INSERT meets the unique constraint (the
address clicked this link earlier today) the transaction, pledge included, is rolled back
and the click is stored again as a repeat. So a pledge exists exactly when a unique
click does, whichever click of a crowd wins.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import F

from harken.publishing.links.bots import is_bot
from harken.publishing.models import Campaign, Click, ClickSalt, Link

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


def pledge(campaign_id: int, amount: int) -> bool:
    """Add ``amount`` to the campaign's total if the total stays within the cap.

    One statement, ``UPDATE … SET pledged = pledged + amount WHERE id = … AND pledged <=
    cap - amount``: the database checks and adds under the row's lock, so clicks at the
    same moment in any number of processes never push the total over the cap."""
    updated = Campaign.objects.filter(
        pk=campaign_id, pledged_cents__lte=F("cap_cents") - amount
    ).update(pledged_cents=F("pledged_cents") + amount)
    return updated == 1


def may_pledge(link: Link, at: datetime) -> bool:
    """Whether a unique human click on ``link`` at ``at`` is one the campaign pays for:
    it pledges, and ``at`` falls within its dates in the workspace's time zone."""
    campaign = link.campaign
    if campaign is None or not campaign.pledges:
        return False
    try:
        zone = zoneinfo.ZoneInfo(link.workspace.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return campaign.running_on(at.astimezone(zone).date())


def record_click(link: Link, visit: Visit) -> Click:
    """Store one visit of ``link`` (loaded with its campaign and workspace) and pledge
    for it when it is the day's first human visit from that address."""
    day = visit.at.astimezone(UTC).date()
    bot = visit.method != "GET" or is_bot(visit.user_agent)  # HEAD: a link checker
    click = Click(
        workspace_id=link.workspace_id,
        link=link,
        at=visit.at,
        day=day,
        network=link.network,
        referrer=referrer_host(visit.referrer),
        is_bot=bot,
        ip_hash=ip_hash(visit.address, day),
    )
    if bot:
        click.save()
        return click
    try:
        with transaction.atomic():
            if may_pledge(link, visit.at):
                assert link.campaign is not None
                click.pledged = pledge(link.campaign.pk, link.campaign.pledge_cents)
            click.unique_of_day = True
            click.save()
    except IntegrityError:  # a repeat: the address clicked this link earlier today
        click.pk = None
        click.unique_of_day = click.pledged = False
        click.save()
    return click
