"""Durations kept as histograms: how many conversations waited about so long.

A period's response times are the medians and p90s of every conversation in it, and
medians do not add up, so the daily rollups used to keep every duration: the pages then
read and sorted a number per conversation. A histogram of fixed log-spaced buckets adds
up instead, so a period is the sum of its days' buckets, however many conversations
they hold, and its percentiles are read off the sum.

The buckets: every second up to ``EXACT`` seconds is a bucket of its own (exact), then
``STEPS`` buckets per doubling, so a bucket's middle is within ``PRECISION`` (0.54 %) of
every duration in it: 20 s at an hour, 8 min at a day, under the minute a page shows
below an hour and an hour. The goal (``RESPONSE_GOAL_SECONDS``) is a bucket's upper
edge, so "answered within the hour" counts exactly.

Stored as bytes (little-endian uint32 pairs: bucket, count, for the non-empty buckets),
which numpy reads for a whole period in one call.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Self

import numpy

#: Buckets per doubling of the duration.
STEPS = 64
#: Durations up to this many seconds are counted exactly, a bucket a second (the log
#: buckets are narrower than a second below it).
EXACT = 112
#: The lower edge of the first log bucket, chosen so that the hour is five doublings of
#: it (112.5 s × 32 = 3,600 s), hence a bucket's upper edge.
BASE = 112.5
#: The largest relative distance between a duration and its bucket's value.
PRECISION = 2 ** (1 / (2 * STEPS)) - 1

_PAIR = numpy.dtype("<u4")


def bucket(seconds: float) -> int:
    """The bucket of a duration: its whole seconds up to ``EXACT``, then the log bucket
    ``(BASE·2^((j-1)/STEPS), BASE·2^(j/STEPS)]`` as ``EXACT + j``."""
    if seconds <= EXACT:
        return max(0, round(seconds))
    return EXACT + math.ceil(STEPS * math.log2(seconds / BASE))


def value(index: int) -> float:
    """A bucket's duration: exact up to ``EXACT``, the geometric middle of its edges
    above (within ``PRECISION`` of every duration in it)."""
    if index <= EXACT:
        return float(index)
    return BASE * 2 ** ((index - EXACT - 0.5) / STEPS)


def _values(indexes: numpy.ndarray) -> numpy.ndarray:
    logged = BASE * numpy.exp2((indexes - EXACT - 0.5) / STEPS)
    return numpy.where(indexes <= EXACT, indexes.astype(numpy.float64), logged)


class Durations:
    """Counts per bucket, the non-empty buckets only (``buckets`` ascending)."""

    __slots__ = ("buckets", "counts")

    def __init__(self, buckets: numpy.ndarray, counts: numpy.ndarray) -> None:
        self.buckets = buckets
        self.counts = counts

    @classmethod
    def of(cls, seconds: Iterable[float]) -> Self:
        indexes = numpy.asarray([bucket(s) for s in seconds], dtype=numpy.int64)
        found, counts = numpy.unique(indexes, return_counts=True)
        return cls(found.astype(numpy.int64), counts.astype(numpy.int64))

    @classmethod
    def from_bytes(cls, data: bytes | memoryview) -> Self:
        pairs = numpy.frombuffer(data, dtype=_PAIR).reshape(-1, 2).astype(numpy.int64)
        return cls(pairs[:, 0], pairs[:, 1])

    @classmethod
    def many_from_bytes(cls, blobs: list[bytes | memoryview]) -> list[Self]:
        """Each of ``blobs`` read, with one numpy call for all of them (a period's rows)."""
        whole = numpy.frombuffer(b"".join(blobs), dtype=_PAIR).reshape(-1, 2)
        whole = whole.astype(numpy.int64)
        found, start = [], 0
        for blob in blobs:
            end = start + len(blob) // (2 * _PAIR.itemsize)
            found.append(cls(whole[start:end, 0], whole[start:end, 1]))
            start = end
        return found

    @classmethod
    def merged(cls, many: Iterable[Durations]) -> Self:
        many = list(many)
        buckets = numpy.concatenate([d.buckets for d in many] or [numpy.empty(0, numpy.int64)])
        if not buckets.size:
            return cls(buckets, buckets)
        counts = numpy.concatenate([d.counts for d in many])
        dense = numpy.bincount(buckets, weights=counts).astype(numpy.int64)
        found = numpy.flatnonzero(dense)
        return cls(found, dense[found])

    def to_bytes(self) -> bytes:
        return numpy.column_stack([self.buckets, self.counts]).astype(_PAIR).tobytes()

    def __len__(self) -> int:
        """How many durations were counted."""
        return int(self.counts.sum())

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Durations)
            and numpy.array_equal(self.buckets, other.buckets)
            and numpy.array_equal(self.counts, other.counts)
        )

    def __repr__(self) -> str:
        pairs = ", ".join(f"{b}: {c}" for b, c in zip(self.buckets, self.counts, strict=True))
        return f"Durations({{{pairs}}})"

    def percentile(self, share: float) -> float | None:
        """The nearest-rank percentile (``share`` 0.5 is the median): the value of the
        bucket holding the duration of that rank."""
        total = len(self)
        if not total:
            return None
        rank = max(1, math.ceil(share * total))
        at = int(numpy.searchsorted(numpy.cumsum(self.counts), rank))
        return float(_values(self.buckets[at : at + 1])[0])

    def at_most(self, seconds: float) -> int:
        """How many durations were at most ``seconds``: exact where ``seconds`` is a
        bucket's upper edge (whole seconds up to ``EXACT``, and the goal)."""
        return int(self.counts[self.buckets <= bucket(seconds)].sum())
