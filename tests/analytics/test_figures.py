"""The figures on hand-built rows whose right answers are worked out by hand."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from harken.analytics.figures import audience, listening, relationship
from harken.analytics.figures.change import Change
from harken.analytics.figures.durations import PRECISION, Durations
from harken.analytics.figures.relationship import ResponseRow
from harken.analytics.figures.rows import Row

D1, D2, D3 = dt.date(2026, 12, 1), dt.date(2026, 12, 2), dt.date(2026, 12, 3)


def test_volume_per_day_fills_quiet_days_with_zero():
    rows = [Row(D1, "mastodon", "", 3), Row(D1, "bluesky", "", 2), Row(D3, "mastodon", "", 4)]
    assert listening.per_day(rows, [D1, D2, D3]) == [5, 0, 4]
    assert listening.total(rows) == 9


def test_sentiment_per_day_ignores_unrated():
    rows = [
        Row(D1, "x", "positive", 2),
        Row(D1, "x", "negative", 1),
        Row(D2, "x", "unrated", 7),
        Row(D2, "x", "neutral", 3),
    ]
    assert listening.sentiment_per_day(rows, [D1, D2]) == {
        "positive": [2, 0],
        "neutral": [0, 3],
        "negative": [1, 0],
    }


def test_share_of_voice_by_mentions_and_by_reach():
    # Brand: 30 mentions reaching 300; the rival: 10 mentions reaching 700.
    topics = [(1, "Harbor Street", "brand"), (2, "Rival Rings", "competitor")]
    rows = [
        Row(D1, "x", "", 20, reach=200, positive=15, topic=1),
        Row(D2, "x", "", 10, reach=100, positive=6, topic=1),
        Row(D1, "x", "", 10, reach=700, positive=2, topic=2),
    ]
    before = [Row(D1, "x", "", 5, topic=1), Row(D1, "x", "", 15, topic=2)]
    brand, rival = listening.share_of_voice(rows, before, topics)
    assert (brand.name, brand.mention_share, brand.reach_share) == ("Harbor Street", 75.0, 30.0)
    assert (rival.mention_share, rival.reach_share) == (25.0, 70.0)
    assert brand.positive_share == 70.0  # 21 of 30
    assert (brand.before_share, rival.before_share) == (25.0, 75.0)


def test_share_of_voice_without_mentions_is_zero_not_an_error():
    voices = listening.share_of_voice([], None, [(1, "Us", "brand"), (2, "Them", "competitor")])
    assert [v.mention_share for v in voices] == [0.0, 0.0]
    assert voices[0].before_share is None


def test_drivers_rank_what_rose_most_and_need_two_mentions():
    now = [
        Row(D2, "x", "late order", 9, negative=8),
        Row(D2, "x", "engraving", 5),
        Row(D2, "x", "one-off", 1),
        Row(D3, "x", "gift wrap", 4),
    ]
    before = [Row(D1, "x", "engraving", 6), Row(D1, "x", "late order", 1)]
    found = listening.drivers(now, before)
    assert [(d.phrase, d.rise) for d in found] == [
        ("late order", 8),
        ("gift wrap", 4),
        ("engraving", -1),
    ]
    assert found[0].mostly_negative and not found[1].mostly_negative


def test_influence_orders_authors_by_reach_summed_over_days():
    rows = [
        Row(D1, "x", "7", 1, reach=5_000, positive=1),
        Row(D2, "x", "7", 1, reach=5_000, negative=1),
        Row(D1, "x", "8", 4, reach=8_000, negative=3),
        Row(D1, "x", "9", 9, reach=900, positive=9),
        Row(D1, "x", "<b>9</b>", 9, reach=90_000),  # not an author's id: nobody
    ]
    found = listening.influence(rows, limit=2)
    assert [(i.author, i.reach, i.mentions) for i in found] == [(7, 10_000, 2), (8, 8_000, 4)]
    assert [i.leaning for i in found] == ["neutral", "negative"]


def _row(network, intent, assignee, conversations, first, resolution):
    return ResponseRow(
        network, intent, assignee, conversations, Durations.of(first), Durations.of(resolution)
    )


def close(seconds):
    """A duration as the histograms give it back: within their documented precision."""
    return pytest.approx(seconds, rel=PRECISION)


def test_response_times_median_p90_and_within_the_hour():
    minutes = [1, 2, 3, 4, 5, 6, 7, 8, 90, 300]
    rows = [
        _row("mastodon", "question", 1, 6, [m * 60 for m in minutes[:5]], [3600]),
        _row("bluesky", "complaint", 2, 6, [m * 60 for m in minutes[5:]], [7200, 600]),
    ]
    overall = relationship.responses(rows)
    assert overall.conversations == 12 and overall.answered == 10
    assert overall.median == close(5 * 60)  # nearest rank: the 5th of 10
    assert overall.p90 == close(90 * 60)  # the 9th of 10
    assert overall.within_goal == 80.0  # exact: the hour is a bucket's edge
    assert overall.resolution_median == close(3600)
    by_network = relationship.responses_by(rows, "network")
    assert [r.key for r in by_network] == ["bluesky", "mastodon"]
    assert [r.median for r in by_network] == [close(8 * 60), close(3 * 60)]


def test_an_answer_at_the_hour_is_within_it_and_a_second_later_is_not():
    rows = [_row("x", "", 0, 3, [3600, 3601, 59], [])]
    assert relationship.responses(rows).within_goal == pytest.approx(200 / 3)


def test_response_days_add_up_to_the_period():
    # The same conversations split over three days, or counted in one: the same figures.
    seconds = [45, 61, 300, 1_000, 3_599, 3_600, 7_200, 86_400, 90_000]
    days = [_row("x", "", 0, 3, seconds[n::3], seconds[n::3]) for n in range(3)]
    whole = relationship.responses([_row("x", "", 0, 9, seconds, seconds)])
    assert relationship.responses(days) == whole
    assert whole.median == close(3_599) and whole.p90 == close(90_000)  # 5th and 9th of 9


def test_no_answer_yet_gives_no_median():
    figure = relationship.responses([_row("x", "", 0, 3, [], [])])
    assert (figure.median, figure.within_goal, figure.answered_share) == (None, None, 0.0)


def test_talk_to_listen_and_content_mix_against_the_target():
    talk = relationship.TalkToListen(posts=6, answered=24, mentions=48)
    assert (talk.ratio, talk.answered_share) == (0.25, 50.0)
    mix = relationship.content_mix(["promotion"] * 3 + ["offer"] + ["educational"] * 6, 0.3)
    assert mix.promotion_share == 40.0 and mix.target == 30.0 and mix.over_target
    assert mix.categories[0] == ("educational", 6)
    assert relationship.content_mix([], 0.3).promotion_share is None


def test_followers_carry_the_last_count_forward():
    days = [D1, D2, D3]
    assert audience.followers_per_day([(D2, 100)], days) == [None, 100, 100]
    assert audience.followers_per_day([(D1 - dt.timedelta(days=5), 90), (D3, 95)], days) == [
        90,
        90,
        95,
    ]
    assert audience.summed([[None, 100, 100], [50, 50, 60]]) == [50, 150, 160]


def test_best_times_count_in_the_business_time_zone():
    new_york = zoneinfo.ZoneInfo("America/New_York")
    # 23:30 UTC on Thursday 3 Dec is 18:30 in New York; 14:00 UTC Friday is 9:00 there.
    posts = [
        (dt.datetime(2026, 12, 3, 23, 30, tzinfo=dt.UTC), 6),
        (dt.datetime(2026, 12, 10, 23, 5, tzinfo=dt.UTC), 4),
        (dt.datetime(2026, 12, 4, 14, 0, tzinfo=dt.UTC), 1),
    ]
    grid = audience.best_times(posts, new_york)
    thursday_evening = grid[3][18]
    assert (thursday_evening.posts, thursday_evening.engagement, thursday_evening.per_post) == (
        2,
        10,
        5.0,
    )
    assert grid[4][9].posts == 1
    assert audience.best_cell(grid) == thursday_evening
    assert audience.best_cell(grid, at_least=3) is None


def test_changes_in_words():
    assert Change(44.0, 38.0, "%").words == "+6 pt"
    assert Change(120, 100).words == "+20 %"
    assert Change(38, 62, "min", "down").words == "−24 min"
    assert Change(38, 62, "min", "down").good is True
    assert Change(5, 0).words == "new"
    assert Change(5, None).words == ""
