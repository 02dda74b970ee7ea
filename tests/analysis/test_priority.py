"""Priority: what comes first in the inbox, and why, in words."""

from __future__ import annotations

from dataclasses import replace

import pytest

from harken.analysis import Analysis, Priority, priority


def made(intents=("other",), sentiment="neutral") -> Analysis:
    return Analysis(
        language="en",
        language_confidence=0.99,
        sentiment=sentiment,
        sentiment_scores={"negative": 0.1, "neutral": 0.8, "positive": 0.1},
        intents=tuple(intents),
        key_phrases=(),
        products=(),
        competitors=(),
    )


def rank(analysis: Analysis, **overrides) -> Priority:
    kwargs = {
        "followers": 100,
        "is_customer": False,
        "waiting_seconds": 0,
        "author_recent_count": 1,
    }
    return priority(analysis, **(kwargs | overrides))


def test_it_explains_itself_in_the_words_the_inbox_shows():
    found = rank(made(["complaint"], "negative"), followers=12_400, waiting_seconds=2 * 3600 + 5)
    assert found.explanation == "complaint · negative · 12k followers · waiting 2 h"
    assert found.reasons == ("complaint", "negative", "12k followers", "waiting 2 h")


def test_the_score_stays_between_0_and_100():
    loudest = rank(
        made(["complaint", "question"], "negative"),
        followers=50_000_000,
        is_customer=True,
        waiting_seconds=10**9,
    )
    quietest = rank(made(["other"], "positive"), followers=None, author_recent_count=500)
    assert 0 <= quietest.score < loudest.score <= 100


def test_a_complaint_outranks_small_talk():
    assert rank(made(["complaint"], "negative")).score > rank(made(["other"])).score


def test_a_known_customer_comes_first():
    question = made(["question"])
    assert rank(question, is_customer=True).score > rank(question).score
    assert "customer" in rank(question, is_customer=True).reasons


def test_waiting_raises_priority():
    question = made(["question"])
    scores = [rank(question, waiting_seconds=s).score for s in (0, 600, 3600, 6 * 3600, 86400)]
    assert scores == sorted(scores) and scores[0] < scores[-1]


def test_reach_counts_but_a_little():
    question = made(["question"])
    famous = rank(question, followers=2_000_000).score
    unknown = rank(question, followers=20).score
    assert unknown < famous <= unknown + 12


def test_the_tenth_message_of_a_loud_author_does_not_outrank_a_first_time_customers_question():
    loud = rank(
        made(["complaint"], "negative"),
        followers=250_000,
        waiting_seconds=600,
        author_recent_count=10,
    )
    first_timer = rank(
        made(["question"]),
        followers=40,
        is_customer=True,
        waiting_seconds=600,
        author_recent_count=1,
    )
    assert first_timer.score > loud.score
    assert "10th message today" in loud.reasons


def test_the_fairness_term_only_starts_with_the_second_message():
    analysis = made(["question"])
    assert rank(analysis, author_recent_count=0).score == rank(analysis).score
    assert rank(analysis, author_recent_count=2).score < rank(analysis).score


def test_spam_is_never_urgent():
    found = rank(made(["spam"]), followers=10_000_000, waiting_seconds=86400, is_customer=True)
    assert (found.score, found.explanation) == (0, "spam")


@pytest.mark.parametrize(
    ("followers", "words"), [(999, None), (1_000, "1k followers"), (1_250_000, "1.2M followers")]
)
def test_followers_read_compactly(followers, words):
    reasons = rank(made(), followers=followers).reasons
    assert (words in reasons) if words else not any("followers" in r for r in reasons)


def test_priority_is_a_frozen_value():
    found = rank(made())
    with pytest.raises(AttributeError):
        replace(found, score=5).score = 7  # type: ignore[misc]


def test_a_long_wait_outranks_any_fresh_message_so_nothing_starves():
    """The aging term has no cap: the least urgent message there is (small talk, positive,
    nobody's following, the author's hundredth today) rises above the most pressing fresh
    one (a negative complaint from a known customer with a million followers) in a day."""
    pressing = rank(made(["complaint"], "negative"), followers=1_000_000, is_customer=True).score
    least = [
        rank(
            made(["other"], "positive"),
            followers=None,
            author_recent_count=100,
            waiting_seconds=hours * 3600,
            aging=True,
        ).score
        for hours in (1, 6, 12, 24, 30)
    ]
    assert least == sorted(least)
    assert least[-1] > pressing


def test_a_loud_authors_second_complaint_waits_behind_a_first_timers_question():
    second = rank(made(["complaint"], "negative"), author_recent_count=2)
    first_timer = rank(made(["question"]), author_recent_count=1)
    assert first_timer.score > second.score
    assert "2nd message today" in second.reasons


def test_a_score_stored_once_does_not_grow_with_a_backfilled_posts_age():
    """Without ``aging`` (enrichment scores a mention once, at ingest) the wait counts at
    most 20 points: a week-old post backfilled today does not come first for its age."""
    question = made(["question"])
    day = rank(question, waiting_seconds=86_400).score
    assert rank(question, waiting_seconds=7 * 86_400).score == day
    assert rank(question, waiting_seconds=7 * 86_400, aging=True).score > day


def test_a_second_reading_swaps_the_intent_and_sentiment_terms_only():
    from harken.analysis.priority import repriced

    before = rank(made(["other"], "neutral"), followers=12_400, waiting_seconds=2 * 3600)
    after = rank(made(["complaint"], "negative"), followers=12_400, waiting_seconds=2 * 3600)
    score, reasons = repriced(
        before.score,
        "; ".join(before.reasons),
        (("other",), "neutral"),
        (("complaint",), "negative"),
    )
    assert (score, reasons) == (after.score, "; ".join(after.reasons))
    # Back again, to where it was.
    assert repriced(score, reasons, (("complaint",), "negative"), (("other",), "neutral")) == (
        before.score,
        "; ".join(before.reasons),
    )


def test_a_second_reading_stays_within_0_and_100_and_spam_stays_zero():
    from harken.analysis.priority import repriced

    assert repriced(95, "", (("other",), "neutral"), (("complaint",), "negative"))[0] == 100
    assert repriced(3, "", (("complaint",), "negative"), (("other",), "positive"))[0] == 0
    assert repriced(0, "spam", (("spam",), "neutral"), (("spam",), "negative")) == (0, "spam")
