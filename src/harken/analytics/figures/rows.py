"""The rollup rows a figure reads, as plain values: figures are pure functions over these,
tested on hand-built rows, and ``tallies`` is the one query that loads them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Sum

from harken.analytics.models import ALL_ACCOUNTS, ALL_TOPICS, Tally
from harken.analytics.periods import Period
from harken.core.models import Workspace

if TYPE_CHECKING:
    from harken.analytics.segments import Segment


@dataclass(frozen=True)
class Row:
    day: dt.date
    network: str
    key: str
    count: int
    reach: int = 0
    positive: int = 0
    negative: int = 0
    topic: int = ALL_TOPICS


FIELDS = ("day", "network", "key", "topic")


def tallies(
    workspace: Workspace,
    period: Period,
    dimension: str,
    *,
    topic: int | None = ALL_TOPICS,
    topics: list[int] | None = None,
    account: int = ALL_ACCOUNTS,
    network: str = "",
    by: tuple[str, ...] = FIELDS,
    keys: list[str] | None = None,
    top: str = "",
    limit: int | None = None,
    segment: Segment | None = None,
) -> list[Row]:
    """The rollup rows of ``dimension`` in ``period`` (one topic, or several), summed in
    the database over every field not in ``by`` (a field left out reads as empty), so a
    page reads a few hundred sums instead of every day's rows. ``account``: only the
    mentions that account's sources found (people mentioning it). ``top`` ("count",
    "reach") with ``limit`` keeps the largest; ``keys`` keeps only those keys. With a
    ``segment`` the same rows are summed from its people's mentions instead
    (``segments.cube``)."""
    if segment is not None:
        return _segment_tallies(
            workspace,
            period,
            dimension,
            topic,
            topics,
            account,
            network,
            by,
            keys,
            top,
            limit,
            segment,
        )
    rows = Tally.objects.filter(
        workspace=workspace,
        dimension=dimension,
        account=account,
        day__gte=period.first,
        day__lte=period.last,
    )
    if topics is not None:
        rows = rows.filter(topic__in=topics)
    elif topic is not None:
        rows = rows.filter(topic=topic)
    if network:
        rows = rows.filter(network=network)
    if keys is not None:
        rows = rows.filter(key__in=keys)
    sums = rows.values(*by).annotate(
        n=Sum("count"), r=Sum("reach"), p=Sum("positive"), m=Sum("negative")
    )
    largest = f"-{'n' if top == 'count' else 'r'}"
    sums = sums.order_by(largest, *by) if top else sums.order_by()
    if limit is not None:
        sums = sums[:limit]
    return [
        Row(
            day=found.get("day", period.first),
            network=found.get("network", ""),
            key=found.get("key", ""),
            count=found["n"] or 0,
            reach=found["r"] or 0,
            positive=found["p"] or 0,
            negative=found["m"] or 0,
            topic=found.get("topic", ALL_TOPICS),
        )
        for found in sums
    ]


def _segment_tallies(
    workspace: Workspace,
    period: Period,
    dimension: str,
    topic: int | None,
    topics: list[int] | None,
    account: int,
    network: str,
    by: tuple[str, ...],
    keys: list[str] | None,
    top: str,
    limit: int | None,
    segment: Segment,
) -> list[Row]:
    """``tallies`` over a segment's cube, summed in Python the way the query sums."""
    from harken.analytics.segments import cube

    wanted_topics = set(topics) if topics is not None else ({topic} if topic is not None else None)
    wanted_keys = set(keys) if keys is not None else None
    sums: dict[tuple[object, ...], list[int]] = {}
    for (day, net, top_id, found_by, dim, key), counts in cube(workspace, segment, period).items():
        if dim != dimension or found_by != account or (network and net != network):
            continue
        if wanted_topics is not None and top_id not in wanted_topics:
            continue
        if wanted_keys is not None and key not in wanted_keys:
            continue
        fields = {"day": day, "network": net, "key": key, "topic": top_id}
        group = tuple(fields[name] for name in by)
        total = sums.setdefault(group, [0, 0, 0, 0])
        for n in range(4):
            total[n] += counts[n]
    found = []
    for group, c in sums.items():
        named = dict(zip(by, group, strict=True))
        found.append(
            Row(
                day=named.get("day", period.first),  # type: ignore[arg-type]
                network=str(named.get("network", "")),
                key=str(named.get("key", "")),
                count=c[0],
                reach=c[1],
                positive=c[2],
                negative=c[3],
                topic=named.get("topic", ALL_TOPICS),  # type: ignore[arg-type]
            )
        )
    if top:
        found.sort(key=lambda r: (-(r.count if top == "count" else r.reach), r.key, r.network))
    return found[:limit] if limit is not None else found
