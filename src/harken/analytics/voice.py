"""The voice of the typical customer: sentiment one person one vote, weighted to the
customer base, and the segments Harken is not hearing from.

One message one vote lets one author's fifty complaints outshout forty-nine quiet
customers. Here each *person* (a contact, joined across networks, or else a lone
author) has one vote, split by the shares of their own messages; the votes of each
segment (age band, region, customer status …) are then weighted by that segment's share
of the business's customers, so a segment that posts a lot counts no more than it is.
The interval comes from a stratified bootstrap (persons resampled within their segment,
a fixed seed, so the page says the same thing twice).

Everything here is a pure function of ``Vote`` rows and mappings; ``harken.analytics.
voice_load`` reads them from the database."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

SENTIMENTS = ("positive", "neutral", "negative")
#: Fewer distinct voices than this in a segment: too few to trust what it says.
TRUST = 10
#: A person no import placed in the dimension.
UNKNOWN = "Not known"
RESAMPLES = 1000
SEED = 13


@dataclass(frozen=True)
class Vote:
    """``count`` messages of one ``sentiment`` from one ``person``."""

    person: str
    sentiment: str
    count: int = 1


@dataclass(frozen=True)
class Split:
    """Shares (0–1) of positive, neutral and negative, and how many votes they rest on."""

    positive: float
    neutral: float
    negative: float
    votes: int

    def share(self, sentiment: str) -> float:
        return float(getattr(self, sentiment))

    @property
    def leaning(self) -> str:
        """ "negative" when more than half is negative (or positive), else "mixed"."""
        for sentiment in ("negative", "positive"):
            if self.share(sentiment) > 0.5:
                return sentiment
        return "mixed"


EMPTY = Split(0.0, 0.0, 0.0, 0)


def _split(totals: Mapping[str, float], votes: int) -> Split:
    whole = sum(totals.values())
    if not whole:
        return Split(0.0, 0.0, 0.0, votes)
    positive, neutral, negative = (totals.get(s, 0.0) / whole for s in SENTIMENTS)
    return Split(positive, neutral, negative, votes)


def by_message(votes: Iterable[Vote]) -> Split:
    """One message one vote: the plain shares of every message."""
    totals: dict[str, float] = defaultdict(float)
    for vote in votes:
        if vote.sentiment in SENTIMENTS:
            totals[vote.sentiment] += vote.count
    return _split(totals, int(sum(totals.values())))


def people(votes: Iterable[Vote]) -> dict[str, dict[str, float]]:
    """Each person's own shares of positive, neutral and negative (summing to one)."""
    counts: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(SENTIMENTS, 0.0))
    for vote in votes:
        if vote.sentiment in SENTIMENTS and vote.count > 0:
            counts[vote.person][vote.sentiment] += vote.count
    return {
        person: {s: n / sum(own.values()) for s, n in own.items()} for person, own in counts.items()
    }


def by_person(votes: Iterable[Vote]) -> Split:
    """One person one vote: each author's shares averaged, so fifty complaints are one voice."""
    return _average(list(people(votes).values()))


def by_person_of(shares: Mapping[str, dict[str, float]]) -> Split:
    """``by_person`` from ``people(votes)`` already computed."""
    return _average(list(shares.values()))


@dataclass(frozen=True)
class Segment:
    name: str
    #: Its share (0–1) of the customer base.
    weight: float
    #: Distinct people heard from in it.
    voices: int
    #: One person one vote inside the segment.
    split: Split

    @property
    def trusted(self) -> bool:
        return self.voices >= TRUST


@dataclass(frozen=True)
class Estimate:
    """A share (0–1) of ``sentiment`` among the customer base, with a 95 % interval."""

    sentiment: str
    value: float | None
    low: float | None
    high: float | None
    #: The share of the customer base whose segments were heard at all.
    coverage: float
    segments: list[Segment]

    def holds(self, share: float) -> bool:
        return self.low is not None and self.high is not None and self.low <= share <= self.high


def weighted(
    votes: Iterable[Vote],
    segment_of: Mapping[str, str],
    base: Mapping[str, float],
    sentiment: str = "negative",
    resamples: int = RESAMPLES,
    seed: int = SEED,
    shares: Mapping[str, dict[str, float]] | None = None,
) -> Estimate:
    """The share of ``sentiment`` weighted to ``base`` (segment → share, any scale).

    People outside every segment of the base (``UNKNOWN`` or another value) are left out
    of the estimate; segments of the base nobody spoke for lower ``coverage`` and the
    others are re-weighted to stand for the whole. ``shares`` is ``people(votes)`` when
    the caller has it already."""
    whole = sum(w for w in base.values() if w > 0)
    shares = people(votes) if shares is None else shares
    members: dict[str, list[str]] = defaultdict(list)
    for person in sorted(shares):
        members[segment_of.get(person, UNKNOWN)].append(person)
    segments = [
        Segment(
            name,
            weight / whole if whole else 0.0,
            len(members.get(name, [])),
            _average([shares[p] for p in members.get(name, [])]),
        )
        for name, weight in base.items()
        if weight > 0
    ]
    heard = [seg for seg in segments if seg.voices]
    coverage = sum(seg.weight for seg in heard)
    if not heard:
        return Estimate(sentiment, None, None, None, 0.0, segments)
    values = [np.array([shares[p][sentiment] for p in members[seg.name]]) for seg in heard]
    weights = np.array([seg.weight for seg in heard]) / coverage
    value = float(sum(w * v.mean() for w, v in zip(weights, values, strict=True)))
    draws = _bootstrap(values, weights, resamples, seed)
    low, high = (float(x) for x in np.percentile(draws, [2.5, 97.5]))
    return Estimate(sentiment, value, min(low, value), max(high, value), coverage, segments)


def _average(own: list[dict[str, float]]) -> Split:
    """People's own shares averaged: one person one vote."""
    return _split({s: sum(one[s] for one in own) for s in SENTIMENTS}, len(own))


def _bootstrap(
    values: list[np.ndarray], weights: np.ndarray, resamples: int, seed: int
) -> np.ndarray:
    """The weighted mean, recomputed with people resampled within each segment."""
    rng = np.random.default_rng(seed)
    total = np.zeros(resamples)
    for weight, seg in zip(weights, values, strict=True):
        # In slices, so a segment of 100,000 people never holds 10⁸ draws at once.
        step = max(1, 2_000_000 // max(len(seg), 1))
        means = [
            seg[rng.integers(0, len(seg), size=(min(step, resamples - i), len(seg)))].mean(axis=1)
            for i in range(0, resamples, step)
        ]
        total += weight * np.concatenate(means)
    return total


@dataclass(frozen=True)
class Quiet:
    """A segment with too few voices to trust, and what would bring more of them in."""

    dimension: str
    segment: str
    voices: int
    weight: float


def not_heard(dimension: str, segments: Iterable[Segment], trust: int = TRUST) -> list[Quiet]:
    """The segments of the base with fewer than ``trust`` voices, the quietest first."""
    quiet = [
        Quiet(dimension, seg.name, seg.voices, seg.weight) for seg in segments if seg.voices < trust
    ]
    return sorted(quiet, key=lambda q: (q.voices, -q.weight, q.segment))


def base_from_contacts(values: Iterable[str]) -> dict[str, float]:
    """A customer base derived from the imported contacts: each value's share of them."""
    counts: dict[str, float] = defaultdict(float)
    for value in values:
        if value:
            counts[value] += 1
    whole = sum(counts.values())
    return {k: n / whole for k, n in sorted(counts.items())} if whole else {}
