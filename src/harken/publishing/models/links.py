"""Campaigns, tracked short links and their clicks.

A Link is Harken's own short address (``/l/<code>``) for a destination, with the UTM
parameters that tell the destination's analytics where the reader came from. Each visit
is a Click: counted with its time, network and the referrer's host; a bot fetching a link
preview is kept apart (``is_bot``). The clicker's address is kept only as a hash salted
with the day's salt (``ClickSalt``), which is forgotten when the day is over, so repeat
clicks are recognised within one day and no address can be recovered afterwards.

A Campaign may pledge money per unique human click up to a cap (the seeds' "for every
click-thru … will donate $1 … up to $10,000"): ``pledged_cents`` only grows through one
conditional UPDATE (see ``links.clicks``), and a check constraint keeps it under the cap.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.db import models
from django.db.models import F, Q

from harken.core.models import WorkspaceOwned

#: Link codes: 8 characters of base64url, 2^48 possibilities — not worth guessing through.
CODE_BYTES = 6


#: UTM parameters in the order people write them.
UTM_ORDER = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"]


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def new_public_token() -> str:
    return secrets.token_urlsafe(12)


class Campaign(WorkspaceOwned):
    """A goal with dates, its tracked links and tagged posts, and maybe a pledge per click."""

    name = models.CharField(max_length=120)
    #: Names the campaign in UTM parameters (``utm_campaign``); unique in the workspace.
    slug = models.SlugField(max_length=60)
    goal = models.TextField(blank=True)
    starts = models.DateField(null=True, blank=True)
    ends = models.DateField(null=True, blank=True)
    #: The address of the public progress page (``/pledge/<token>/``): no login needed.
    public_token = models.CharField(max_length=32, unique=True, default=new_public_token)
    #: Money pledged per unique human click, in the currency's smallest unit; 0: no pledge.
    pledge_cents = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="USD")
    cap_cents = models.PositiveBigIntegerField(default=0)
    #: The running total; grows only through ``links.clicks.pledge`` (never past the cap).
    pledged_cents = models.PositiveBigIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "slug"], name="campaign_slug_per_ws"),
            models.CheckConstraint(
                condition=Q(pledged_cents__lte=F("cap_cents")), name="campaign_pledged_in_cap"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def pledges(self) -> bool:
        return self.pledge_cents > 0

    @property
    def cap_reached(self) -> bool:
        """No further click can pledge: the next pledge would cross the cap."""
        return self.pledges and self.pledged_cents + self.pledge_cents > self.cap_cents

    def running_on(self, day: date) -> bool:
        return (self.starts is None or self.starts <= day) and (
            self.ends is None or day <= self.ends
        )


class Link(WorkspaceOwned):
    """A tracked short link: ``/l/<code>`` answers a redirect to ``target``."""

    code = models.CharField(max_length=16, unique=True, default=new_code)
    destination = models.URLField(max_length=2000)
    #: UTM parameters added to the destination (utm_source, utm_medium, utm_campaign…).
    utm = models.JSONField(default=dict, blank=True)
    #: The network the link is posted on (its utm_source), for counting clicks per network.
    network = models.CharField(max_length=32, blank=True)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="links"
    )
    post = models.ForeignKey(
        "publishing.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    variant = models.ForeignKey(
        "publishing.Variant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"/l/{self.code} → {self.destination}"

    @property
    def target(self) -> str:
        return with_utm(self.destination, self.utm)


def with_utm(destination: str, utm: dict[str, Any]) -> str:
    """``destination`` with ``utm`` in its query; the link's own UTM values win."""
    if not utm:
        return destination
    parts = urlsplit(destination)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in utm]
    # In the usual order whatever the database did with the keys (PostgreSQL's jsonb
    # sorts them): the address reads the same everywhere.
    ordered = sorted(utm, key=lambda k: (UTM_ORDER.index(k) if k in UTM_ORDER else 9, k))
    query += [(k, str(utm[k])) for k in ordered if utm[k] not in (None, "")]
    return urlunsplit(parts._replace(query=urlencode(query)))


class Click(WorkspaceOwned):
    """One visit of ``/l/<code>``. Only a human's first visit of the day (``unique_of_day``)
    may pledge; a bot's visit never does."""

    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="clicks")
    at = models.DateTimeField()
    #: The UTC day of ``at``: the unit of de-duplication and of the per-day counts.
    day = models.DateField()
    network = models.CharField(max_length=32, blank=True)
    #: The referring page's host only ("t.co", "bsky.app"), never its path.
    referrer = models.CharField(max_length=255, blank=True)
    is_bot = models.BooleanField(default=False)
    #: HMAC of the clicker's address with the day's salt; meaningless once the day is over.
    ip_hash = models.CharField(max_length=32, blank=True)
    unique_of_day = models.BooleanField(default=False)
    pledged = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["link", "day"], name="click_link_day"),
            models.Index(fields=["workspace", "day"], name="click_workspace_day"),
        ]
        constraints = [
            # One unique click per address, link and day: the database decides, so two
            # clicks arriving together cannot both be the first.
            models.UniqueConstraint(
                fields=["link", "ip_hash", "day"],
                condition=Q(unique_of_day=True),
                name="click_unique_of_day",
            ),
        ]

    def __str__(self) -> str:
        return f"Click on {self.link_id} at {self.at:%Y-%m-%d %H:%M}"


class ClickSalt(models.Model):
    """The salt of one UTC day's address hashes; older days' salts are deleted."""

    day = models.DateField(primary_key=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"Click salt of {self.day}"
