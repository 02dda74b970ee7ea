"""The rows the figures read, loaded for one scope: rollups, and the few small tables
(published posts, account snapshots, replies sent) that need none."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.db import connection
from django.db.models import Case, Count, Expression, IntegerField, Max, QuerySet, Value, When
from django.db.models.functions import TruncDate

from harken.analytics import segments
from harken.analytics.days import bounds, zone_of
from harken.analytics.figures.audience import PostFigures
from harken.analytics.figures.durations import Durations
from harken.analytics.figures.relationship import ResponseRow, Responses, responses
from harken.analytics.models import (
    ALL_ACCOUNTS,
    ALL_TOPICS,
    AccountSnapshot,
    CustomerBase,
    PostMetric,
    ResponseDay,
    RollupState,
    Tally,
)
from harken.analytics.periods import Period, Scope
from harken.analytics.rollups import segment_response_groups
from harken.contacts.models import Contact, Identity
from harken.listening.models import Topic
from harken.networks.models import Account
from harken.publishing.models import Campaign, Click, Link, Variant
from harken.publishing.states import State


def instants(scope: Scope, period: Period) -> tuple[dt.datetime, dt.datetime]:
    zone = zone_of(scope.workspace)
    return bounds(period.first, zone)[0], bounds(period.last, zone)[1]


def topics(scope: Scope) -> list[Topic]:
    return list(Topic.objects.filter(workspace=scope.workspace).order_by("kind", "name"))


def accounts(scope: Scope) -> list[Account]:
    # Never the credentials: a filter's list has no reason to decrypt them.
    rows = Account.objects.filter(workspace=scope.workspace).only("pk", "network", "handle")
    return list(rows.order_by("network", "handle"))


def response_rows(scope: Scope, period: Period) -> list[ResponseRow]:
    """The period's response rollups for the scope's network, topic (or every topic:
    ``ALL_TOPICS`` rows, never summed with a topic's) and account, read once per request
    (the headlines and the Relationship panel share them); their histograms are read by
    one numpy call. With a segment, its people's conversations counted when asked
    (``segment_responses``)."""
    # The filters are in the key: talk-to-listen reads every topic's within the request.
    memo_key = ("responses", period, scope.network, scope.topic, scope.account, scope.segment)
    if memo_key in scope.memo:
        return cast(list[ResponseRow], scope.memo[memo_key])
    if scope.segment is not None:
        result = segment_responses(scope, scope.segment, period)[0]
        scope.memo[memo_key] = result
        return result
    rows = ResponseDay.objects.filter(
        workspace=scope.workspace,
        day__gte=period.first,
        day__lte=period.last,
        topic=scope.topic or ALL_TOPICS,
    )
    if scope.network:
        rows = rows.filter(network=scope.network)
    if scope.account:
        rows = rows.filter(account=scope.account)
    found = list(
        rows.values_list(
            "network", "intent", "assignee", "conversations", "first_response", "resolution"
        )
    )
    histograms = Durations.many_from_bytes([blob for r in found for blob in r[4:]])
    result = [
        ResponseRow(
            network, intent, assignee, conversations, histograms[2 * n], histograms[2 * n + 1]
        )
        for n, (network, intent, assignee, conversations, _, _) in enumerate(found)
    ]
    scope.memo[memo_key] = result
    return result


def segment_responses(
    scope: Scope, segment: segments.Segment, period: Period
) -> tuple[list[ResponseRow], bool]:
    """The response rows of the conversations ``segment``'s people began in
    ``period`` (their first customer mention's author is one of them), counted when asked
    (a segment's people change with every import: never rolled up), and whether only the
    newest ``rollups.SEGMENT_CONVERSATIONS`` of them were counted."""
    memo_key = ("segment_responses", period, segment)
    if memo_key not in scope.memo:
        start, end = instants(scope, period)
        authors = segments.authors(scope.workspace, segment)
        groups, bounded = segment_response_groups(scope.workspace, authors, start, end)
        scope.memo[memo_key] = (groups, bounded)
    groups, bounded = scope.memo[memo_key]
    topic = scope.topic or ALL_TOPICS
    rows = [
        ResponseRow(
            network,
            intent,
            assignee,
            group.conversations,
            Durations.of(group.first_response),
            Durations.of(group.resolution),
        )
        for (network, intent, assignee, in_topic, account), group in groups.items()
        if in_topic == topic
        and (not scope.network or network == scope.network)
        and (not scope.account or account == scope.account)
    ]
    return rows, bounded


def overall_responses(scope: Scope, period: Period) -> Responses:
    """The period's response figures over every conversation of the scope, once a
    request (the headlines and the Relationship panel both show them)."""
    filters = (scope.network, scope.topic, scope.account, scope.segment)
    memo_key = ("overall_responses", period, *filters)
    if memo_key not in scope.memo:
        scope.memo[memo_key] = responses(response_rows(scope, period))
    return cast(Responses, scope.memo[memo_key])


def published(scope: Scope, period: Period) -> QuerySet[Variant]:
    """The workspace's variants published in ``period`` (on the filtered account/network)."""
    start, end = instants(scope, period)
    rows = Variant.objects.filter(
        workspace=scope.workspace,
        state=State.PUBLISHED,
        published_at__gte=start,
        published_at__lt=end,
    )
    if scope.account:
        rows = rows.filter(account_id=scope.account)
    if scope.network:
        rows = rows.filter(account__network=scope.network)
    return rows


def replies_per_post(scope: Scope, variant_ids: list[int]) -> dict[int, int]:
    """Mentions that answered each of our posts (the rollups' "post" rows), any day."""
    memo_key = ("replies", frozenset(variant_ids))
    if memo_key in scope.memo:
        return cast(dict[int, int], scope.memo[memo_key])
    counts: dict[int, int] = {}
    scope.memo[memo_key] = counts
    keys = [str(pk) for pk in variant_ids]
    for start in range(0, len(keys), 500):
        rows = Tally.objects.filter(
            workspace=scope.workspace,
            dimension="post",
            topic=ALL_TOPICS,
            account=ALL_ACCOUNTS,
            key__in=keys[start : start + 500],
        ).values_list("key", "count")
        for key, count in rows:
            counts[int(key)] = counts.get(int(key), 0) + count
    return counts


def post_figures(scope: Scope, period: Period) -> list[PostFigures]:
    """Each post published in ``period`` with its latest counts (``PostMetric``); a post
    whose network gives none counts the replies Harken heard as its comments. The rate
    of a post without impressions rests on its account's followers at the period's end."""
    memo_key = ("post_figures", period)
    if memo_key in scope.memo:
        return cast(list[PostFigures], scope.memo[memo_key])
    posts = list(published(scope, period).values_list("pk", "account_id", "published_at"))
    start, end = instants(scope, period)
    counted = PostMetric.objects.filter(
        workspace=scope.workspace, latest=True, published__gte=start, published__lt=end
    )
    if scope.account:
        counted = counted.filter(account_id=scope.account)
    if scope.network:
        counted = counted.filter(network=scope.network)
    metrics = {
        row[0]: row[1:]
        for row in counted.values_list(
            "variant_id", "likes", "comments", "shares", "impressions", "reach"
        )
    }
    heard = replies_per_post(scope, [pk for pk, _, _ in posts if pk not in metrics])
    networks = dict(Account.objects.filter(workspace=scope.workspace).values_list("pk", "network"))
    followers = followers_at(scope, period)
    found = []
    for pk, account, at in posts:
        if at is None:  # published without a time: an old row, nothing to place it by
            continue
        likes, comments, shares, impressions, reach = metrics.get(
            pk, (0, heard.get(pk, 0), 0, None, None)
        )
        found.append(
            PostFigures(
                variant=pk,
                network=networks.get(account, ""),
                published=at,
                likes=likes,
                comments=comments,
                shares=shares,
                impressions=impressions,
                reach=reach,
                followers=followers.get(account),
                counted=pk in metrics,
            )
        )
    scope.memo[memo_key] = found
    return found


def followers_at(scope: Scope, period: Period) -> dict[int, int]:
    """Each account's last known followers on or before the period's last day."""
    found: dict[int, int] = {}
    for account, rows in snapshots(scope, period).items():
        known = [n for _, n in rows if n is not None]
        if known:
            found[account] = known[-1]
    return found


def snapshots(scope: Scope, period: Period) -> dict[int, list[tuple[dt.date, int | None]]]:
    """Each account's snapshots in ``period``, and its last one before (the count held)."""
    memo_key = ("snapshots", period)
    if memo_key not in scope.memo:
        scope.memo[memo_key] = _snapshots(scope, period)
    return cast(dict[int, list[tuple[dt.date, int | None]]], scope.memo[memo_key])


def _snapshots(scope: Scope, period: Period) -> dict[int, list[tuple[dt.date, int | None]]]:
    rows = AccountSnapshot.objects.filter(workspace=scope.workspace, day__lte=period.last)
    if scope.account:
        rows = rows.filter(account_id=scope.account)
    if scope.network:
        rows = rows.filter(account__network=scope.network)
    found: dict[int, list[tuple[dt.date, int | None]]] = {}
    earlier: dict[int, tuple[dt.date, int | None]] = {}
    for account, day, followers in rows.order_by("day").values_list(
        "account_id", "day", "followers"
    ):
        if day < period.first:
            earlier[account] = (day, followers)
        else:
            found.setdefault(account, []).append((day, followers))
    for account, last in earlier.items():
        found.setdefault(account, []).insert(0, last)
    return found


def clicks(scope: Scope, period: Period) -> QuerySet[Click]:
    """Tracked-link clicks by people (never a link-preview bot) in ``period``."""
    start, end = instants(scope, period)
    rows = Click.objects.filter(
        workspace=scope.workspace,
        is_bot=False,
        day__gte=period.first - dt.timedelta(days=1),
        day__lte=period.last + dt.timedelta(days=1),
        at__gte=start,
        at__lt=end,
    )
    if scope.account:
        # Clicks on the links of that account's posts.
        rows = rows.filter(link__variant__account_id=scope.account)
    if scope.network:
        rows = rows.filter(network=scope.network)
    return rows


def post_clicks(scope: Scope, period: Period) -> tuple[set[int], dict[int, int]]:
    """The posts published in ``period`` that carry a tracked link, and people's clicks
    on each one's links, any day (never a link-preview bot's)."""
    memo_key = ("post_clicks", period)
    if memo_key not in scope.memo:
        posts = published(scope, period).values("pk")
        linked = set(
            Link.objects.filter(workspace=scope.workspace, variant__in=posts)
            .values_list("variant_id", flat=True)
            .distinct()
        )
        counted = (
            Click.objects.filter(workspace=scope.workspace, is_bot=False, link__variant__in=posts)
            .values("link__variant_id")
            .annotate(n=Count("pk"))
            .values_list("link__variant_id", "n")
        )
        scope.memo[memo_key] = (linked, dict(counted))
    return cast(tuple[set[int], dict[int, int]], scope.memo[memo_key])


def clicks_per_day(scope: Scope, period: Period) -> list[int]:
    """Human clicks on each day of ``period`` in the workspace's time zone, counted by the
    database (fetching 15,000 clicks' times to bucket them here cost 70-150 ms of CPU)."""
    zone = zone_of(scope.workspace)
    days = period.days
    rows = clicks(scope, period).order_by()
    if connection.vendor == "postgresql":
        per_date = rows.annotate(local=TruncDate("at", tzinfo=zone)).values("local")
        found = dict(per_date.annotate(n=Count("pk")).values_list("local", "n"))
        return [found.get(day, 0) for day in days]
    # SQLite would convert the zone in a Python function called per row: a binary search
    # over the days' ends in SQL (7 comparisons a click for 90 days) is twice as fast.
    ends = [bounds(day, zone)[1] for day in days]
    per_index = rows.annotate(index=_day_index(ends, 0, len(ends))).values("index")
    per_day = [0] * len(days)
    for index, n in per_index.annotate(n=Count("pk")).values_list("index", "n"):
        per_day[index] += n
    return per_day


def _day_index(ends: list[dt.datetime], low: int, high: int) -> Expression:
    """The index of the day among ``ends[low:high]`` that a click's ``at`` falls on."""
    if high - low == 1:
        return Value(low)
    middle = (low + high) // 2
    return Case(
        When(at__lt=ends[middle - 1], then=_day_index(ends, low, middle)),
        default=_day_index(ends, middle, high),
        output_field=IntegerField(),
    )


def campaigns(scope: Scope) -> list[Campaign]:
    return list(Campaign.objects.filter(workspace=scope.workspace).order_by("-created"))


def people_version(scope: Scope) -> tuple[object, ...]:
    """What changes whenever figures about people could: the rollups' mention watermark
    (one row, where a ``Max`` over a million mentions cost a scan on SQLite; it moves
    within a minute of a new mention), and the contacts, identities and customer base."""
    workspace = scope.workspace
    state = RollupState.objects.filter(workspace=workspace).values_list("mention_id", "updated")
    contacts = Contact.objects.filter(workspace=workspace).aggregate(
        u=Max("updated"), n=Count("pk")
    )
    identities = Identity.objects.filter(workspace=workspace).aggregate(m=Max("pk"), n=Count("pk"))
    base = CustomerBase.objects.filter(workspace=workspace).aggregate(m=Max("pk"), n=Count("pk"))
    return (
        tuple(state.first() or ()),
        *contacts.values(),
        *identities.values(),
        *base.values(),
    )
