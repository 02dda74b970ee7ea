"""Audience and posts: followers over time, posts published, each post's engagement and
its rate, per network and at the top, and the best times to post."""

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


def gained(
    snapshots: Iterable[tuple[dt.date, int | None]], first: dt.date, last: dt.date
) -> int | None:
    """Followers won (or lost) from ``first`` to ``last``: the count at the end against
    the one held when the period began, or its first count when it began uncounted;
    None when nothing was counted by ``last``."""
    known = sorted((day, n) for day, n in snapshots if n is not None and day <= last)
    if not known:
        return None
    held = [n for day, n in known if day < first]
    start = held[-1] if held else known[0][1]
    return known[-1][1] - start


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
class PostFigures:
    """One published post's latest counts, and what its rate is measured against."""

    variant: int
    network: str
    published: dt.datetime
    likes: int = 0
    comments: int = 0
    shares: int = 0
    impressions: int | None = None
    #: The people who saw it, where the network counts them (None: not given, never 0).
    reach: int | None = None
    #: The account's followers when the network counts no impressions (Mastodon, Bluesky).
    followers: int | None = None
    #: Whether the network gave counts at all (else ``comments`` are the replies heard).
    counted: bool = True

    @property
    def engagement(self) -> int:
        return self.likes + self.comments + self.shares

    @property
    def base(self) -> int | None:
        """What the rate divides by: impressions where the network counts them, else the
        followers who could have seen it."""
        return self.impressions or self.followers or None

    @property
    def rate(self) -> float | None:
        """Engagement rate in per cent."""
        return 100 * self.engagement / self.base if self.base else None


@dataclass(frozen=True)
class Engagement:
    """A group of posts' engagement (a network's, or all of them)."""

    label: str
    posts: int
    likes: int
    comments: int
    shares: int
    #: Summed over the posts whose network gives them; None when none of them does (a
    #: page shows "–", never a zero no network counted).
    impressions: int | None
    reach: int | None
    #: Sum of the bases of the posts that have one, and their engagement.
    based: int
    engaged: int

    @property
    def engagement(self) -> int:
        return self.likes + self.comments + self.shares

    @property
    def per_post(self) -> float:
        return self.engagement / self.posts if self.posts else 0.0

    @property
    def rate(self) -> float | None:
        """Engagement over impressions (or followers), in per cent, of the posts that have
        either: a post with neither counts in the totals but not in the rate."""
        return 100 * self.engaged / self.based if self.based else None


def engagement(posts: Iterable[PostFigures], label: str = "All networks") -> Engagement:
    rows = list(posts)
    return Engagement(
        label=label,
        posts=len(rows),
        likes=sum(p.likes for p in rows),
        comments=sum(p.comments for p in rows),
        shares=sum(p.shares for p in rows),
        impressions=_known_sum(p.impressions for p in rows),
        reach=_known_sum(p.reach for p in rows),
        based=sum(p.base or 0 for p in rows),
        engaged=sum(p.engagement for p in rows if p.base),
    )


def _known_sum(values: Iterable[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


@dataclass(frozen=True)
class ClickThrough:
    """Clicks on the tracked links of a group of posts, over the impressions (or the
    followers, where the network counts none) of the posts that carried one."""

    #: Posts that carried a tracked link: a post without one cannot be clicked through,
    #: and counting it would dilute the rate.
    posts: int
    clicks: int
    #: Sum of the bases of the linked posts that have one, and their clicks.
    based: int
    clicked: int

    @property
    def rate(self) -> float | None:
        return 100 * self.clicked / self.based if self.based else None


def click_through(
    posts: Iterable[PostFigures], linked: set[int], clicks: dict[int, int]
) -> ClickThrough:
    """``linked``: the posts that carry a tracked link; ``clicks``: people's clicks on
    each post's links (any day: a post's likes are its lifetime counts too)."""
    rows = [p for p in posts if p.variant in linked]
    return ClickThrough(
        posts=len(rows),
        clicks=sum(clicks.get(p.variant, 0) for p in rows),
        based=sum(p.base or 0 for p in rows),
        clicked=sum(clicks.get(p.variant, 0) for p in rows if p.base),
    )


def by_network(posts: Iterable[PostFigures]) -> list[Engagement]:
    """Each network's engagement, the most engaging per post first."""
    groups: dict[str, list[PostFigures]] = {}
    for post in posts:
        groups.setdefault(post.network, []).append(post)
    found = [engagement(rows, network) for network, rows in groups.items()]
    return sorted(found, key=lambda e: (-e.per_post, e.label))


def top_posts(posts: Iterable[PostFigures], limit: int = 5) -> list[PostFigures]:
    """The posts with the most engagement (ties: the better rate, then the newer)."""
    return sorted(
        posts,
        key=lambda p: (-p.engagement, -(p.rate or 0), -p.published.timestamp(), p.variant),
    )[:limit]


@dataclass(frozen=True)
class Cell:
    weekday: int  # 0 Monday
    hour: int
    posts: int
    engagement: int

    @property
    def per_post(self) -> float | None:
        return self.engagement / self.posts if self.posts else None


def best_times(
    posts: Iterable[tuple[dt.datetime, int]], zone: zoneinfo.ZoneInfo
) -> list[list[Cell]]:
    """Weekday × hour of published posts (in the business's time zone) with the
    engagement they drew: each cell says how many posts it rests on."""
    grid = [[[0, 0] for _ in range(24)] for _ in range(7)]
    for published, engaged in posts:
        local = published.astimezone(zone)
        cell = grid[local.weekday()][local.hour]
        cell[0] += 1
        cell[1] += engaged
    return [[Cell(d, h, *grid[d][h]) for h in range(24)] for d in range(7)]


def best_cell(grid: list[list[Cell]], at_least: int = 2) -> Cell | None:
    """The cell with the most engagement per post among those resting on ``at_least``
    posts (one lucky post is not a time to plan by)."""
    cells = [c for row in grid for c in row if c.posts >= at_least and c.engagement]
    if not cells:
        return None
    return max(cells, key=lambda c: (c.per_post or 0, c.posts, -c.weekday, -c.hour))
