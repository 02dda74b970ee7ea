"""Volume spikes and negative surges against a synthetic 14-day hourly baseline."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.utils import timezone

from harken.listening.alerts import evaluate
from harken.listening.alerts.baseline import floor_hour, hour_stats, robust_z
from harken.listening.models import Author, Mention
from tests.listening.test_alert_conditions import make_author, make_rule, make_topic


def fill(workspace, topic, author, hour, count, sentiment="neutral", prefix="m"):
    """``count`` stored mentions of ``topic`` inside ``hour``, spread over its minutes."""
    rows = [
        Mention(
            workspace=workspace,
            network="bluesky",
            external_id=f"{prefix}-{hour:%Y%m%d%H}-{i}",
            author=author,
            text="Harbor Street",
            posted=hour + dt.timedelta(minutes=(i * 7) % 60),
            sentiment=sentiment,
        )
        for i in range(count)
    ]
    stored = Mention.objects.bulk_create(rows)
    Mention.topics.through.objects.bulk_create(
        [Mention.topics.through(mention_id=m.pk, topic_id=topic.pk) for m in stored]
    )
    return stored


@pytest.fixture
def now():
    # Ten minutes into an hour, so the current hour holds the batch.
    return floor_hour(timezone.now()) + dt.timedelta(minutes=10)


@pytest.fixture
def author(workspace) -> Author:
    return make_author(workspace, "crowd")


def baseline(workspace, topic, author, now, per_day, sentiment="neutral"):
    """The same hour of each of the 14 previous days, with ``per_day[d]`` mentions."""
    for days_ago, count in enumerate(per_day, start=1):
        hour = floor_hour(now) - dt.timedelta(days=days_ago)
        fill(workspace, topic, author, hour, count, sentiment, prefix=f"base{sentiment}")
    # Other hours of the day are busier: an all-hours baseline would differ.
    fill(workspace, topic, author, floor_hour(now) - dt.timedelta(hours=5), 30, prefix="busy")


def test_robust_z_ignores_one_past_outlier():
    quiet = [3, 4, 3, 5, 4, 3, 4, 3, 5, 4, 3, 4, 3, 4]
    with_outlier = quiet[:-1] + [90]
    z_quiet, median, scale = robust_z(20, quiet)
    z_outlier, _, _ = robust_z(20, with_outlier)
    assert median == 4
    assert scale == pytest.approx(1.4826)  # MAD of 1
    # One old spike barely moves a median-based score; a mean/std score would halve.
    assert z_outlier == pytest.approx(z_quiet, rel=0.1)
    std_score = (20 - np.mean(with_outlier)) / np.std(with_outlier)
    assert std_score < z_quiet / 4


def test_robust_z_on_an_all_zero_history_falls_back_to_one_mention():
    z, median, scale = robust_z(3, [0] * 14)
    assert (z, median, scale) == (3.0, 0.0, 1.0)


def test_a_spike_is_found_against_the_same_hour_of_the_14_previous_days(workspace, author, now):
    topic = make_topic(workspace)
    rule = make_rule(workspace, "spike", topic=topic, params={"min_count": 10, "z": 3.5})
    baseline(workspace, topic, author, now, [3, 4, 2, 5, 3, 4, 3, 2, 4, 3, 5, 3, 4, 3])
    batch = fill(workspace, topic, author, floor_hour(now), 25, prefix="now")

    stats = hour_stats(workspace, topic, floor_hour(now), negative=False)
    [event] = evaluate(workspace, batch, now=now)

    assert (stats.count, stats.median) == (25, 3.0)
    assert stats.z > 3.5
    assert event.key == f"spike:{topic.pk}:{floor_hour(now):%Y%m%d%H}"
    assert event.rule == rule
    assert "25 mentions of Harbor Street" in event.text


def test_an_ordinary_hour_is_not_a_spike(workspace, author, now):
    topic = make_topic(workspace)
    make_rule(workspace, "spike", topic=topic, params={"min_count": 3, "z": 3.5})
    baseline(workspace, topic, author, now, [3, 4, 2, 5, 3, 4, 3, 2, 4, 3, 5, 3, 4, 3])
    batch = fill(workspace, topic, author, floor_hour(now), 5, prefix="now")

    assert evaluate(workspace, batch, now=now) == []


def test_the_minimum_count_stops_zero_to_two_being_a_spike(workspace, author, now):
    topic = make_topic(workspace)
    make_rule(workspace, "spike", topic=topic, params={"min_count": 5, "z": 1.5})
    batch = fill(workspace, topic, author, floor_hour(now), 2, prefix="now")

    assert hour_stats(workspace, topic, floor_hour(now), negative=False).z == 2.0
    assert evaluate(workspace, batch, now=now) == []


def test_a_spike_alerts_once_per_topic_and_hour_however_many_batches(workspace, author, now):
    topic = make_topic(workspace)
    make_rule(workspace, "spike", topic=topic, params={"min_count": 5, "z": 3})
    first = fill(workspace, topic, author, floor_hour(now), 12, prefix="first")
    second = fill(workspace, topic, author, floor_hour(now), 12, prefix="second")

    assert len(evaluate(workspace, first, now=now)) == 1
    assert evaluate(workspace, second, now=now) == []


def test_a_negative_surge_counts_only_negative_mentions(workspace, author, now):
    topic = make_topic(workspace)
    make_rule(workspace, "surge", topic=topic, params={"min_count": 5, "z": 3})
    baseline(workspace, topic, author, now, [1, 0, 1, 2, 1, 0, 1, 1, 0, 1, 2, 1, 0, 1], "negative")
    calm = fill(workspace, topic, author, floor_hour(now), 40, "positive", prefix="happy")
    assert evaluate(workspace, calm, now=now) == []

    angry = fill(workspace, topic, author, floor_hour(now), 9, "negative", prefix="angry")
    [event] = evaluate(workspace, angry, now=now)
    assert event.key.startswith(f"surge:{topic.pk}:")
    assert "9 negative mentions" in event.text


def test_old_hours_in_a_backfilled_batch_do_not_alert(workspace, author, now):
    topic = make_topic(workspace)
    make_rule(workspace, "spike", topic=topic, params={"min_count": 5, "z": 3})
    yesterday = floor_hour(now) - dt.timedelta(hours=20)
    batch = fill(workspace, topic, author, yesterday, 30, prefix="backfill")

    assert evaluate(workspace, batch, now=now) == []
