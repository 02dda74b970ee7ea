"""Listening figures: pure functions over rollup rows (``rows.Row``).

Each takes the rows of one period (and, for what rises, those of the period before) and
returns plain values; the pages load the rows, the tests build them by hand.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from harken.analytics.figures.rows import Row

SENTIMENTS = ("positive", "neutral", "negative")


def total(rows: Iterable[Row]) -> int:
    return sum(row.count for row in rows)


def per_day(rows: Iterable[Row], days: list[dt.date]) -> list[int]:
    """The count on each of ``days``, zeros included."""
    counts: Counter[dt.date] = Counter()
    for row in rows:
        counts[row.day] += row.count
    return [counts[day] for day in days]


def sentiment_per_day(rows: Iterable[Row], days: list[dt.date]) -> dict[str, list[int]]:
    """Rated mentions per day and sentiment (rows of the "sentiment" dimension)."""
    counts: dict[str, Counter[dt.date]] = {s: Counter() for s in SENTIMENTS}
    for row in rows:
        if row.key in counts:
            counts[row.key][row.day] += row.count
    return {s: [counts[s][day] for day in days] for s in SENTIMENTS}


K = TypeVar("K")


def shares(counts: dict[K, int]) -> dict[K, float]:
    """Each key's share of the total, in per cent (all zero when there is nothing)."""
    whole = sum(counts.values())
    return {key: (100 * value / whole if whole else 0.0) for key, value in counts.items()}


def sentiment_split(rows: Iterable[Row]) -> dict[str, int]:
    split = dict.fromkeys(SENTIMENTS, 0)
    for row in rows:
        if row.key in split:
            split[row.key] += row.count
    return split


def breakdown(rows: Iterable[Row], by: str = "key") -> list[tuple[str, int]]:
    """Counts per key (or per network), largest first, ties by name."""
    counts: Counter[str] = Counter()
    for row in rows:
        counts[getattr(row, by)] += row.count
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def per_day_by_key(
    rows: Iterable[Row], days: list[dt.date], keys: list[str]
) -> dict[str, list[int]]:
    """Counts per day for each of ``keys`` (intents over time)."""
    counts: dict[str, Counter[dt.date]] = {key: Counter() for key in keys}
    for row in rows:
        if row.key in counts:
            counts[row.key][row.day] += row.count
    return {key: [counts[key][day] for day in days] for key in keys}


@dataclass(frozen=True)
class Voice:
    """One topic's share of voice among the brand and its competitors."""

    topic: int
    name: str
    kind: str
    mentions: int
    reach: int
    mention_share: float
    reach_share: float
    positive_share: float
    before_share: float | None


def share_of_voice(
    rows: Iterable[Row],
    before: Iterable[Row] | None,
    topics: list[tuple[int, str, str]],
) -> list[Voice]:
    """The brand's topics against each competitor topic, by mentions and by reach.

    ``rows`` are the "all" tallies of those topics (a mention of two of them counts for
    both); ``topics`` are (id, name, kind) with kinds "brand" and "competitor"."""
    now = _by_topic(rows)
    then = _by_topic(before) if before is not None else None
    mentions = {t: now[t][0] for t, _, _ in topics}
    reach = {t: now[t][1] for t, _, _ in topics}
    by_mentions, by_reach = shares(mentions), shares(reach)
    before_shares = shares({t: then[t][0] for t, _, _ in topics}) if then is not None else None
    voices = [
        Voice(
            topic=t,
            name=name,
            kind=kind,
            mentions=mentions[t],
            reach=reach[t],
            mention_share=by_mentions[t],
            reach_share=by_reach[t],
            positive_share=100 * now[t][2] / mentions[t] if mentions[t] else 0.0,
            before_share=before_shares[t] if before_shares is not None else None,
        )
        for t, name, kind in topics
    ]
    return sorted(voices, key=lambda v: (v.kind != "brand", -v.mentions, v.name))


def _by_topic(rows: Iterable[Row]) -> defaultdict[int, list[int]]:
    totals: defaultdict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        totals[row.topic][0] += row.count
        totals[row.topic][1] += row.reach
        totals[row.topic][2] += row.positive
    return totals


@dataclass(frozen=True)
class Driver:
    """A key phrase or hashtag and how often it came up, now and before."""

    phrase: str
    now: int
    before: int
    negative: int

    @property
    def rise(self) -> int:
        return self.now - self.before

    @property
    def mostly_negative(self) -> bool:
        return 2 * self.negative > self.now


def drivers(
    rows: Iterable[Row], before: Iterable[Row], limit: int = 10, at_least: int = 2
) -> list[Driver]:
    """The phrases that rose most against the previous period (then the most frequent).

    A phrase needs ``at_least`` mentions now: one person's one-off words drive nothing."""
    now: Counter[str] = Counter()
    negative: Counter[str] = Counter()
    for row in rows:
        now[row.key] += row.count
        negative[row.key] += row.negative
    then: Counter[str] = Counter()
    for row in before:
        then[row.key] += row.count
    found = [
        Driver(phrase, count, then[phrase], negative[phrase])
        for phrase, count in now.items()
        if count >= at_least
    ]
    found.sort(key=lambda d: (-d.rise, -d.now, d.phrase))
    return found[:limit]


@dataclass(frozen=True)
class Influencer:
    """An author who carried the business's name far: mentions, reach and sentiment."""

    author: int
    network: str
    mentions: int
    reach: int
    positive: int
    negative: int

    @property
    def leaning(self) -> str:
        if self.positive > self.negative:
            return "positive"
        return "negative" if self.negative > self.positive else "neutral"


def influence(rows: Iterable[Row], limit: int = 10) -> list[Influencer]:
    """The authors with the most reach over the period ("author" rows, key: author id)."""
    totals: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in rows:
        # The rollups write an author's id; any other key (a row from elsewhere) names
        # nobody and must not fail the page or the report.
        if not (row.key.isascii() and row.key.isdigit()):
            continue
        cell = totals[(int(row.key), row.network)]
        cell[0] += row.count
        cell[1] += row.reach
        cell[2] += row.positive
        cell[3] += row.negative
    found = [Influencer(a, n, *c) for (a, n), c in totals.items()]
    found.sort(key=lambda i: (-i.reach, -i.mentions, i.author))
    return found[:limit]
