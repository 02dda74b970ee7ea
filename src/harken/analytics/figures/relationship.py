"""Relationship figures: how fast and how much the business answers, and what it says.

Pure functions over plain rows; the pages load them (``harken.analytics.panels``)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from harken.analytics.figures.durations import Durations

#: The answer time a business should aim for on social media: an hour.
RESPONSE_GOAL_SECONDS = 60 * 60
PROMOTIONS = frozenset({"promotion", "offer"})


@dataclass(frozen=True)
class ResponseRow:
    """Conversations of one network, intent and assignee: a ``ResponseDay`` row of one
    topic (or every topic) and account, or a segment's, counted when asked."""

    network: str
    intent: str
    assignee: int
    conversations: int
    #: Seconds to our first answer and to resolution, as histograms (``durations``).
    first_response: Durations
    resolution: Durations


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
    """Median and p90 first response, median resolution (each within
    ``durations.PRECISION``), and the share answered within the goal (exact), over every
    conversation in ``rows``."""
    rows = list(rows)
    # The days' histograms add up: a period costs its rows, not its conversations.
    first = Durations.merged(r.first_response for r in rows)
    resolved = Durations.merged(r.resolution for r in rows)
    answered = len(first)
    return Responses(
        key=key,
        conversations=sum(r.conversations for r in rows),
        answered=answered,
        median=first.percentile(0.5),
        p90=first.percentile(0.9),
        resolution_median=resolved.percentile(0.5),
        within_goal=100 * first.at_most(RESPONSE_GOAL_SECONDS) / answered if answered else None,
    )


def responses_by(rows: Iterable[ResponseRow], by: str) -> list[Responses]:
    """``responses`` per network, intent or assignee, busiest first."""
    groups: dict[str, list[ResponseRow]] = defaultdict(list)
    for row in rows:
        groups[str(getattr(row, by))].append(row)
    found = [responses(group, key) for key, group in groups.items()]
    return sorted(found, key=lambda r: (-r.conversations, r.key))


@dataclass(frozen=True)
class TalkToListen:
    """Posts we published against conversations we answered and mentions we heard."""

    posts: int
    answered: int
    mentions: int

    @property
    def ratio(self) -> float | None:
        """Posts per conversation answered: below 1, the business listens more than it
        talks."""
        return self.posts / self.answered if self.answered else None

    @property
    def answered_share(self) -> float | None:
        return 100 * self.answered / self.mentions if self.mentions else None


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
