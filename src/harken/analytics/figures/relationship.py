"""Relationship figures: how fast and how much the business answers, and what it says.

Pure functions over plain rows; the pages load them (``harken.analytics.panels``)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy

#: The answer time a business should aim for on social media: an hour.
RESPONSE_GOAL_SECONDS = 60 * 60
PROMOTIONS = frozenset({"promotion", "offer"})


def percentile(values: Sequence[float], share: float, ordered: bool = False) -> float | None:
    """The nearest-rank percentile (``share`` 0.5 is the median) of ``values``
    (``ordered``: already sorted, so several percentiles of one list sort it once)."""
    if not len(values):
        return None
    ranked = values if ordered else sorted(values)
    rank = max(1, math.ceil(share * len(ranked)))
    return float(ranked[rank - 1])


@dataclass(frozen=True)
class ResponseRow:
    """One ``ResponseDay`` row: conversations of a day, network, intent and assignee."""

    network: str
    intent: str
    assignee: int
    conversations: int
    #: Seconds, sorted: lists, or numpy arrays as ``load.response_rows`` gives them.
    first_response: Sequence[int] | numpy.ndarray
    resolution: Sequence[int] | numpy.ndarray


@dataclass(frozen=True)
class Responses:
    key: str
    conversations: int
    answered: int
    median: float | None
    p90: float | None
    resolution_median: float | None
    within_goal: float | None  # per cent of answered conversations

    @property
    def answered_share(self) -> float | None:
        return 100 * self.answered / self.conversations if self.conversations else None


def responses(rows: Iterable[ResponseRow], key: str = "") -> Responses:
    """Median and p90 first response, median resolution, and the share answered within
    the goal, over every conversation in ``rows``."""
    rows = list(rows)
    # A quarter of a million durations a period: numpy sorts them in milliseconds, where
    # Python's sort and sums took most of a page's time.
    first = _sorted(r.first_response for r in rows)
    resolved = _sorted(r.resolution for r in rows)
    within = int(numpy.searchsorted(first, RESPONSE_GOAL_SECONDS, side="right"))
    return Responses(
        key=key,
        conversations=sum(r.conversations for r in rows),
        answered=len(first),
        median=percentile(first, 0.5, ordered=True),  # type: ignore[arg-type]
        p90=percentile(first, 0.9, ordered=True),  # type: ignore[arg-type]
        resolution_median=percentile(resolved, 0.5, ordered=True),  # type: ignore[arg-type]
        within_goal=100 * within / len(first) if len(first) else None,
    )


def _sorted(lists: Iterable[Sequence[int] | numpy.ndarray]) -> numpy.ndarray:
    found = [numpy.asarray(values, dtype=numpy.int64) for values in lists if len(values)]
    return numpy.sort(numpy.concatenate(found)) if found else numpy.empty(0, numpy.int64)


def responses_by(rows: Iterable[ResponseRow], by: str) -> list[Responses]:
    """``responses`` per network, intent or assignee, busiest first."""
    groups: dict[str, list[ResponseRow]] = defaultdict(list)
    for row in rows:
        groups[str(getattr(row, by))].append(row)
    found = [responses(group, key) for key, group in groups.items()]
    return sorted(found, key=lambda r: (-r.conversations, r.key))


@dataclass(frozen=True)
class TalkToListen:
    """Posts we published against mentions we answered (replies sent)."""

    posts: int
    replies: int
    mentions: int

    @property
    def ratio(self) -> float | None:
        """Posts per reply: below 1, the business listens more than it talks."""
        return self.posts / self.replies if self.replies else None

    @property
    def answered_share(self) -> float | None:
        return 100 * self.replies / self.mentions if self.mentions else None


@dataclass(frozen=True)
class ContentMix:
    categories: list[tuple[str, int]]
    promotion_share: float | None
    target: float  # the guidelines' largest promotion share, in per cent

    @property
    def over_target(self) -> bool:
        return self.promotion_share is not None and self.promotion_share > self.target


def content_mix(categories: Iterable[str], max_promotion_share: float) -> ContentMix:
    """Published posts per category, and the promotions' share against the target."""
    counts = Counter(categories)
    whole = sum(counts.values())
    promoted = sum(counts[c] for c in PROMOTIONS)
    return ContentMix(
        categories=sorted(counts.items(), key=lambda item: (-item[1], item[0])),
        promotion_share=100 * promoted / whole if whole else None,
        target=100 * max_promotion_share,
    )
