"""Listening's facts for the sections that have no page yet (see ``harken.core.sections``).

Counted from stored mentions in one aggregate query (and one per-day query), inbound only:
our own answers are not mentions of the business.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from harken.analysis.intents import INTENTS
from harken.core.models import Workspace
from harken.listening.models import Mention

#: The period the summaries cover, and the one before it that they compare with.
DAYS = 30
#: Intents that ask for an answer, in the order the inbox will triage them.
NEEDS_REPLY = ("question", "complaint", "purchase_intent")


def _inbound(workspace: Workspace) -> Any:
    return Mention.objects.filter(workspace=workspace, is_own=False)


def _intent(name: str) -> Q:
    # Intents are a JSON list; a quoted name matches one element on SQLite and PostgreSQL.
    return Q(intents__icontains=f'"{name}"')


def analytics(workspace: Workspace) -> dict[str, Any]:
    """Mentions in the last 30 days against the 30 before, sentiment split, top intents."""
    now = timezone.now()
    since, before = now - dt.timedelta(days=DAYS), now - dt.timedelta(days=2 * DAYS)
    recent = Q(posted__gte=since)
    counts = _inbound(workspace).aggregate(
        total=Count("pk"),
        recent=Count("pk", filter=recent),
        previous=Count("pk", filter=Q(posted__gte=before, posted__lt=since)),
        **{s: Count("pk", filter=recent & Q(sentiment=s)) for s in Mention.Sentiment.values},
        **{f"intent_{i}": Count("pk", filter=recent & _intent(i)) for i in INTENTS},
    )
    rated = sum(counts[s] for s in Mention.Sentiment.values)
    sentiment, offset = [], 0
    for s in ("positive", "neutral", "negative"):
        percent = round(100 * counts[s] / rated) if rated else 0
        sentiment.append({"key": s, "count": counts[s], "percent": percent, "offset": offset})
        offset += percent
    intents = sorted(
        ({"key": i, "count": counts[f"intent_{i}"]} for i in INTENTS if i != "other"),
        key=lambda row: -row["count"],
    )
    return {
        "days": DAYS,
        "mentions_total": counts["total"],
        "mentions_recent": counts["recent"],
        "mentions_previous": counts["previous"],
        "rated": rated,
        "sentiment": sentiment,
        "intents": [row for row in intents if row["count"]],
        "per_day": _per_day(workspace, since),
        "networks": list(
            _inbound(workspace)
            .filter(recent)
            .values("network")
            .annotate(count=Count("pk"))
            .order_by("-count", "network")[:6]
        ),
    }


def _per_day(workspace: Workspace, since: dt.datetime) -> list[dict[str, Any]]:
    """Mentions on each of the last 30 days, in the workspace's time zone, zeros included."""
    try:
        zone = zoneinfo.ZoneInfo(workspace.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    rows = (
        _inbound(workspace)
        .filter(posted__gte=since)
        .annotate(day=TruncDate("posted", tzinfo=zone))
        .values("day")
        .annotate(count=Count("pk"))
    )
    by_day = {row["day"]: row["count"] for row in rows}
    today = timezone.now().astimezone(zone).date()
    days = [today - dt.timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
    return [{"day": day, "count": by_day.get(day, 0)} for day in days]


def inbox(workspace: Workspace) -> dict[str, Any]:
    """How many mentions there are, and how many of the last week's ask for an answer."""
    week = Q(posted__gte=timezone.now() - dt.timedelta(days=7))
    counts = _inbound(workspace).aggregate(
        total=Count("pk"),
        **{i: Count("pk", filter=week & _intent(i)) for i in NEEDS_REPLY},
    )
    return {
        "mentions_total": counts["total"],
        "asking_week": [{"key": i, "count": counts[i]} for i in NEEDS_REPLY if counts[i]],
    }
