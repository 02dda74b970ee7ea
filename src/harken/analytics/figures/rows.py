"""The rollup rows a figure reads, as plain values: figures are pure functions over these,
tested on hand-built rows, and ``tallies`` is the one query that loads them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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


def tallies(
    workspace: Workspace,
    period: Period,
    dimension: str,
    *,
    topic: int | None = ALL_TOPICS,
    topics: list[int] | None = None,
    network: str = "",
) -> list[Row]:
    """The rollup rows of ``dimension`` in ``period`` (one topic, or several)."""
    rows = Tally.objects.filter(
        workspace=workspace, dimension=dimension, day__gte=period.first, day__lte=period.last
    )
    if topics is not None:
        rows = rows.filter(topic__in=topics)
    elif topic is not None:
        rows = rows.filter(topic=topic)
    if network:
        rows = rows.filter(network=network)
    return [
        Row(*values)
        for values in rows.values_list(
            "day", "network", "key", "count", "reach", "positive", "negative", "topic"
        )
    ]
