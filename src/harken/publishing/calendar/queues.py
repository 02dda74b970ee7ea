"""A queue per account: weekly time slots, and "add to queue" taking the next free one.

Slots are wall-clock times in the workspace's zone (Tuesday 10:00 stays 10:00 in
summer and winter). Suggested times come from the account's own history — the engagement
its published posts drew, by weekday and hour — once there is enough of it; until then
the suggestions are common defaults and say so, with how many more posts it takes.

A post's engagement is the network's own count as analytics last wrote it down
(``PostMetric``: likes, comments and shares), or, for a post analytics has not measured
(a network without post metrics, a post too new), the replies Harken read into the inbox.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count

from harken.analytics.models import PostMetric
from harken.listening.models import Mention
from harken.networks.models import Account
from harken.publishing.models import QueueSlot, Variant
from harken.publishing.states import State

#: Weeks ahead "add to queue" looks for a free slot before giving up.
HORIZON_WEEKS = 12
#: Published posts (and distinct weekday-hours among them) before history suggests times.
ENOUGH_POSTS = 12
ENOUGH_HOURS = 3
#: Suggested until the account has history: mid-morning and lunch on weekdays.
DEFAULT_SLOTS = ((1, time(10, 0)), (2, time(12, 0)), (3, time(10, 0)), (4, time(17, 0)))
#: States whose variant holds its time on the account's queue.
HOLDING = [
    State.DRAFT,
    State.AWAITING_APPROVAL,
    State.SCHEDULED,
    State.PUBLISHING,
    State.PUBLISHED,
]


class NoFreeSlot(LookupError):
    """The account has no slots, or none free within ``HORIZON_WEEKS``."""


def slots_of(account: Account) -> list[tuple[int, time]]:
    return list(
        QueueSlot.objects.filter(account=account)
        .order_by("weekday", "time")
        .values_list("weekday", "time")
    )


def next_free_slot(account: Account, after: datetime) -> datetime:
    """The first of ``account``'s slots after ``after`` that no other post of the account
    holds; ``NoFreeSlot`` when it has none within the horizon."""
    slots = slots_of(account)
    if not slots:
        raise NoFreeSlot(f"{account.handle} has no queue slots yet; add some under Queues.")
    zone = ZoneInfo(account.workspace.time_zone)
    start = after.astimezone(zone).date()
    end = start + timedelta(weeks=HORIZON_WEEKS)
    taken = set(
        Variant.objects.filter(
            account=account,
            state__in=HOLDING,
            scheduled_at__gte=after,
            scheduled_at__lt=datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone),
        ).values_list("scheduled_at", flat=True)
    )
    day = start
    while day <= end:
        for weekday, at in slots:
            if weekday != day.weekday():
                continue
            moment = datetime.combine(day, at, tzinfo=zone)
            if moment > after and moment not in taken:
                return moment
        day += timedelta(days=1)
    raise NoFreeSlot(f"Every slot of {account.handle} is taken for {HORIZON_WEEKS} weeks.")


@dataclass(frozen=True)
class Suggestion:
    weekday: int
    time: time
    #: "history" (from the account's own posts) or "default" (not enough history yet).
    source: str
    #: Likes, comments and shares (or replies) a post at this hour drew, on average.
    engagement_per_post: float | None = None
    #: Published posts still needed before history replaces the defaults.
    posts_needed: int = 0


def suggested_slots(account: Account, limit: int = 4) -> list[Suggestion]:
    """The weekday-hours whose posts drew the most engagement on this account, or the
    defaults (labelled so) while it has fewer than ``ENOUGH_POSTS`` published."""
    zone = ZoneInfo(account.workspace.time_zone)
    published = list(
        Variant.objects.filter(account=account, state=State.PUBLISHED)
        .exclude(external_id="")
        .values_list("pk", "external_id", "published_at", "scheduled_at")
    )
    measured = {
        variant_id: likes + comments + shares
        for variant_id, likes, comments, shares in PostMetric.objects.filter(
            workspace_id=account.workspace_id, account=account, latest=True
        ).values_list("variant_id", "likes", "comments", "shares")
    }
    unmeasured = [external_id for pk, external_id, _, _ in published if pk not in measured]
    replies = dict(
        Mention.objects.filter(
            workspace_id=account.workspace_id,
            network=account.network,
            in_reply_to__in=unmeasured,
        )
        .values_list("in_reply_to")
        .annotate(n=Count("pk"))
        .values_list("in_reply_to", "n")
        if unmeasured
        else []
    )
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    for pk, external_id, published_at, scheduled_at in published:
        when = published_at or scheduled_at
        if when is None:
            continue
        moment = when.astimezone(zone)
        engagement = measured[pk] if pk in measured else replies.get(external_id, 0)
        buckets[(moment.weekday(), moment.hour)].append(engagement)
    if len(published) < ENOUGH_POSTS or len(buckets) < ENOUGH_HOURS:
        needed = max(ENOUGH_POSTS - len(published), 1)
        return [Suggestion(w, t, "default", posts_needed=needed) for w, t in DEFAULT_SLOTS[:limit]]
    ranked = sorted(buckets.items(), key=lambda item: (-sum(item[1]) / len(item[1]), item[0]))
    return [
        Suggestion(w, time(h, 0), "history", round(sum(counts) / len(counts), 2))
        for (w, h), counts in ranked[:limit]
    ]
