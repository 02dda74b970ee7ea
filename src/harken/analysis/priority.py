"""Priority (0-100) of a mention for the inbox, with the reasons in words.

The terms: intent (what the author needs from us), sentiment, whether the author is a
known customer, how long they have waited, and reach; the score is clamped to 0-100.
Reach is counted on a log scale and capped low on purpose (DESIGN: the loudest voices must
not drown out the average customer). The fairness term takes points from an author's
repeated messages: the tenth message of one loud author must not outrank a first-time
customer's question. Waiting counts fast in the first hours (answer fast), flattening out
at a day; with ``aging=True`` (the inbox, which recomputes its scores as time passes) an
aging term grows by the hour without a cap on top, so that whatever waits long enough
rises above anything new, however pressing, loud or penalised: nothing starves. A score
stored once (enrichment's, on the stream) leaves it out: a backfilled week-old post must
not come first for its age.

``bench/fairness.py`` chose the fairness and aging weights: with them a first-time author's
p90 wait beats FIFO's and is at most half a prolific author's at 70-110 % load, and nothing
waits a day at 90 %.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

INTENT_POINTS = {
    "complaint": 30,
    "question": 28,
    "purchase_intent": 28,
    "praise": 10,
    "job_seeker": 6,
    "other": 4,
    "spam": 0,
}
SENTIMENT_POINTS = {"negative": 12, "neutral": 4, "positive": 0}
CUSTOMER_POINTS = 15
MAX_REACH_POINTS = 12  # at a million followers
MAX_WAIT_POINTS = 20  # at a day or more
AGING_POINTS_PER_HOUR = 4  # on top, without a cap: a day's wait is worth 96
FAIRNESS_POINTS = 20  # per doubling of an author's messages today
MAX_FAIRNESS_PENALTY = 60


@dataclass(frozen=True)
class Priority:
    score: int
    reasons: tuple[str, ...]
    explanation: str


def priority(
    analysis,
    *,
    followers: int | None,
    is_customer: bool,
    waiting_seconds: float,
    author_recent_count: int,
    aging: bool = False,
) -> Priority:
    """Priority of one analysed mention; ``author_recent_count`` counts the author's
    messages in the last day including this one (1 = first); ``aging``: add the uncapped
    aging term, for a queue that recomputes as time passes."""
    intents = tuple(analysis.intents) or ("other",)
    if "spam" in intents:
        return Priority(0, ("spam",), "spam")
    points = float(max(INTENT_POINTS.get(i, 0) for i in intents))
    points += SENTIMENT_POINTS.get(analysis.sentiment, 0)
    points += CUSTOMER_POINTS if is_customer else 0
    points += reach_points(followers) + wait_points(waiting_seconds, aging=aging)
    penalty = fairness_penalty(author_recent_count)
    score = max(0, min(100, round(points - penalty)))
    reasons = _reasons(intents, analysis.sentiment, followers, is_customer, waiting_seconds)
    if penalty:
        reasons += (f"{ordinal(max(1, int(author_recent_count)))} message today",)
    return Priority(score, reasons, " · ".join(reasons))


def repriced(
    score: int,
    reasons: str,
    old: tuple[tuple[str, ...], str],
    new: tuple[tuple[str, ...], str],
) -> tuple[int, str]:
    """A stored score and its reasons ("; "-joined) after another reading of the same text
    changed its (intents, sentiment): the intent and sentiment terms are swapped, the
    others (reach, wait, fairness), which the store cannot give back, are kept as they were."""
    (old_intents, old_sentiment), (new_intents, new_sentiment) = old, new
    old_intents, new_intents = old_intents or ("other",), new_intents or ("other",)
    if "spam" in new_intents:
        return 0, "spam"
    if "spam" in old_intents:
        return score, reasons  # spam's zero kept no other terms to start from
    delta = _points(new_intents, new_sentiment) - _points(old_intents, old_sentiment)
    words = {i.replace("_", " ") for i in INTENT_POINTS} | set(SENTIMENT_POINTS)
    rest = [word for word in reasons.split("; ") if word and word not in words]
    ahead = [i.replace("_", " ") for i in new_intents if i != "other"]
    ahead += [new_sentiment] if new_sentiment in ("negative", "positive") else []
    return max(0, min(100, round(score + delta))), "; ".join([*ahead, *rest])[:255]


def _points(intents: tuple[str, ...], sentiment: str) -> float:
    return max(INTENT_POINTS.get(i, 0) for i in intents) + SENTIMENT_POINTS.get(sentiment, 0)


def reach_points(followers: int | None) -> float:
    if not followers or followers <= 10:
        return 0.0
    return min(MAX_REACH_POINTS, MAX_REACH_POINTS * math.log10(followers / 10) / 5)


def wait_points(waiting_seconds: float, *, aging: bool = False) -> float:
    hours = max(0.0, float(waiting_seconds or 0)) / 3600
    # Grows fast in the first hours (answer fast), then flattens out at a day ...
    fast = min(MAX_WAIT_POINTS, MAX_WAIT_POINTS * math.log1p(hours) / math.log1p(24))
    # ... and, in a queue, ages steadily: a long wait outranks any fresh message.
    return fast + (AGING_POINTS_PER_HOUR * hours if aging else 0.0)


def fairness_penalty(author_recent_count: int) -> float:
    extra = max(0, int(author_recent_count or 0) - 1)
    return min(MAX_FAIRNESS_PENALTY, FAIRNESS_POINTS * math.log2(1 + extra))


def _reasons(intents, sentiment, followers, is_customer, waiting_seconds) -> tuple[str, ...]:
    words = [i.replace("_", " ") for i in intents if i != "other"]
    if sentiment != "neutral":
        words.append(sentiment)
    if followers and followers >= 1000:
        words.append(f"{compact(followers)} followers")
    if is_customer:
        words.append("customer")
    if waiting_seconds and waiting_seconds >= 60:
        words.append(f"waiting {duration(waiting_seconds)}")
    return tuple(words)


def compact(number: int) -> str:
    """12_345 -> "12k", 1_200_000 -> "1.2M"."""
    if number >= 1_000_000:
        return f"{number / 1_000_000:.1f}".rstrip("0").rstrip(".") + "M"
    if number >= 1000:
        return f"{number // 1000}k"
    return str(number)


def duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} d"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
