"""Response times as histograms: every duration within the documented precision of its
bucket's value, exact below two minutes and at the hour's goal, and days that add up."""

from __future__ import annotations

import random

import numpy
import pytest

from harken.analytics.figures.durations import EXACT, PRECISION, Durations, bucket, value
from harken.analytics.figures.relationship import RESPONSE_GOAL_SECONDS


def test_a_bucket_value_is_within_the_precision_of_every_duration_in_it():
    for seconds in [*range(0, 10_000), *range(10_000, 40 * 86_400, 97)]:
        assert abs(value(bucket(seconds)) - seconds) <= PRECISION * seconds + 1e-9, seconds
    assert PRECISION < 0.0055  # under 20 s at an hour: a page shows whole minutes


def test_short_durations_and_the_goal_are_exact():
    assert [value(bucket(s)) for s in range(EXACT + 1)] == list(range(EXACT + 1))
    # The goal is a bucket's upper edge: "within the hour" is counted exactly.
    assert bucket(RESPONSE_GOAL_SECONDS) < bucket(RESPONSE_GOAL_SECONDS + 1)
    assert bucket(RESPONSE_GOAL_SECONDS - 1) <= bucket(RESPONSE_GOAL_SECONDS)
    found = Durations.of([RESPONSE_GOAL_SECONDS - 1, RESPONSE_GOAL_SECONDS, 3_601, 9_000])
    assert found.at_most(RESPONSE_GOAL_SECONDS) == 2


def test_percentiles_are_the_nearest_rank_within_the_precision():
    rng = random.Random(7)
    seconds = [round(rng.expovariate(1 / 2_700)) for _ in range(5_001)]
    ranked = sorted(seconds)
    found = Durations.of(seconds)
    assert len(found) == 5_001
    for share in (0.1, 0.5, 0.9, 0.99, 1.0):
        exact = ranked[max(1, int(numpy.ceil(share * len(ranked)))) - 1]
        assert found.percentile(share) == pytest.approx(exact, rel=PRECISION, abs=0.5), share
    assert Durations.of([]).percentile(0.5) is None


def test_histograms_add_up_and_survive_their_bytes():
    days = [Durations.of([60, 600, 6_000]), Durations.of([]), Durations.of([600, 86_400])]
    merged = Durations.merged(days)
    assert merged == Durations.of([60, 600, 6_000, 600, 86_400])
    assert merged.percentile(0.5) == pytest.approx(600, rel=PRECISION)
    blobs = [d.to_bytes() for d in days]
    assert Durations.many_from_bytes(blobs) == days
    assert Durations.from_bytes(memoryview(merged.to_bytes())) == merged
