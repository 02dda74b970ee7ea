"""A campaign's clicks counted: totals, per day (with the bar chart's geometry), per link
and per network. Counts come from ``Click`` rows through the (link, day) index."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet

from harken.publishing.models import Campaign, Click, Link

UNIQUE = Q(is_bot=False, unique_of_day=True)
REPEAT = Q(is_bot=False, unique_of_day=False)
BOT = Q(is_bot=True)
#: The chart shows at most this many days (the latest ones).
CHART_DAYS = 62
CHART_HEIGHT = 120
BAR = 12
GAP = 4


def counts(clicks: QuerySet[Click]) -> dict[str, int]:
    """unique, repeat, bots and pledged clicks of ``clicks``."""
    return clicks.aggregate(
        unique=Count("pk", filter=UNIQUE),
        repeat=Count("pk", filter=REPEAT),
        bots=Count("pk", filter=BOT),
        pledged=Count("pk", filter=Q(pledged=True)),
    )


@dataclass(frozen=True)
class Day:
    day: date
    unique: int
    repeat: int
    bots: int
    # The bar chart's geometry (SVG user units), set by ``per_day``.
    x: int = 0
    unique_y: int = 0
    unique_h: int = 0
    others_y: int = 0
    others_h: int = 0

    @property
    def people(self) -> int:
        return self.unique + self.repeat


def per_day(clicks: QuerySet[Click]) -> list[Day]:
    """One entry per day from the first click to the last (no gaps, at most CHART_DAYS),
    with bars: unique human clicks at the bottom, repeats and bots stacked above."""
    rows = {
        row["day"]: row
        for row in clicks.values("day").annotate(
            unique=Count("pk", filter=UNIQUE),
            repeat=Count("pk", filter=REPEAT),
            bots=Count("pk", filter=BOT),
        )
    }
    if not rows:
        return []
    last = max(rows)
    first = max(min(rows), last - timedelta(days=CHART_DAYS - 1))
    span = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    empty = {"unique": 0, "repeat": 0, "bots": 0}
    tallest = max(r["unique"] + r["repeat"] + r["bots"] for d, r in rows.items() if d >= first)
    scale = CHART_HEIGHT / max(tallest, 1)
    days = []
    for n, day in enumerate(span):
        row = rows.get(day, empty)
        unique_h = round(row["unique"] * scale)
        others_h = round((row["unique"] + row["repeat"] + row["bots"]) * scale) - unique_h
        days.append(
            Day(
                day,
                row["unique"],
                row["repeat"],
                row["bots"],
                x=n * (BAR + GAP),
                unique_y=CHART_HEIGHT - unique_h,
                unique_h=unique_h,
                others_y=CHART_HEIGHT - unique_h - others_h,
                others_h=others_h,
            )
        )
    return days


def chart_width(days: list[Day]) -> int:
    return max(len(days) * (BAR + GAP) - GAP, 1)


def links_with_counts(links: QuerySet[Link]) -> QuerySet[Link]:
    return links.annotate(
        unique=Count("clicks", filter=Q(clicks__is_bot=False, clicks__unique_of_day=True)),
        bots=Count("clicks", filter=Q(clicks__is_bot=True)),
        people=Count("clicks", filter=Q(clicks__is_bot=False)),
    ).order_by("-created")


def per_network(clicks: QuerySet[Click]) -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in clicks.values("network")
        .annotate(unique=Count("pk", filter=UNIQUE), bots=Count("pk", filter=BOT))
        .order_by("-unique", "network")
    ]


def campaign_clicks(campaign: Campaign) -> QuerySet[Click]:
    return Click.objects.filter(workspace_id=campaign.workspace_id, link__campaign=campaign)


def progress_percent(campaign: Campaign) -> int:
    if not campaign.cap_cents:
        return 0
    return min(100, campaign.pledged_cents * 100 // campaign.cap_cents)
