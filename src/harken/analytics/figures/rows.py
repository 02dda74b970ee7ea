"""The rollup rows a figure reads, as plain values: figures are pure functions over these,
tested on hand-built rows, and ``tallies`` is the one query that loads them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum

from harken.analytics.models import ALL_TOPICS, Tally
from harken.analytics.periods import Period
from harken.core.models import Workspace


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
    network: str = "",
    by: tuple[str, ...] = FIELDS,
    keys: list[str] | None = None,
    top: str = "",
    limit: int | None = None,
) -> list[Row]:
    """The rollup rows of ``dimension`` in ``period`` (one topic, or several), summed in
    the database over every field not in ``by`` (a field left out reads as empty), so a
    page reads a few hundred sums instead of every day's rows. ``top`` ("count", "reach")
    with ``limit`` keeps the largest; ``keys`` keeps only those keys."""
    rows = Tally.objects.filter(
        workspace=workspace, dimension=dimension, day__gte=period.first, day__lte=period.last
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
