"""Audience and posts: followers over time, posts published, best times to post."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def followers_per_day(
    snapshots: Iterable[tuple[dt.date, int | None]], days: list[dt.date]
) -> list[int | None]:
    """An account's followers on each day: the day's snapshot, or the last one before it
    (a count holds until it changes); None before the first snapshot."""
    known = sorted((day, n) for day, n in snapshots if n is not None)
    out: list[int | None] = []
    last: int | None = None
    index = 0
    for day in days:
        while index < len(known) and known[index][0] <= day:
            last = known[index][1]
            index += 1
        out.append(last)
    return out


def summed(series: list[list[int | None]]) -> list[int | None]:
    """Several accounts' followers added up day by day (None where none is known yet)."""
    if not series:
        return []
    out: list[int | None] = []
    for values in zip(*series, strict=True):
        known = [v for v in values if v is not None]
        out.append(sum(known) if known else None)
    return out


@dataclass(frozen=True)
class Cell:
    weekday: int  # 0 Monday
    hour: int
    posts: int
    replies: int

    @property
    def per_post(self) -> float | None:
        return self.replies / self.posts if self.posts else None


def best_times(
    posts: Iterable[tuple[dt.datetime, int]], zone: zoneinfo.ZoneInfo
) -> list[list[Cell]]:
    """Weekday × hour of published posts (in the business's time zone) with the replies
    they drew: each cell says how many posts it rests on."""
    grid = [[[0, 0] for _ in range(24)] for _ in range(7)]
    for published, replies in posts:
        local = published.astimezone(zone)
        cell = grid[local.weekday()][local.hour]
        cell[0] += 1
        cell[1] += replies
    return [[Cell(d, h, *grid[d][h]) for h in range(24)] for d in range(7)]


def best_cell(grid: list[list[Cell]], at_least: int = 2) -> Cell | None:
    """The cell with the most replies per post among those resting on ``at_least`` posts."""
    cells = [c for row in grid for c in row if c.posts >= at_least and c.replies]
    if not cells:
        return None
    return max(cells, key=lambda c: (c.per_post or 0, c.posts, -c.weekday, -c.hour))
