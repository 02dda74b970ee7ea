"""Intent rules as docs/intent-guideline.md states them: minimal pairs, one rule each.

Each pair differs in the few words the rule reads; the intent must follow them.
"""

from __future__ import annotations

import pytest

from harken.analysis import analyze
from harken.analysis import intents as I


def intents_of(text: str) -> tuple[str, ...]:
    return analyze([text])[0].intents


@pytest.mark.parametrize(
    ("demand", "report"),
    [
        ("@brand fix my connection", "@brand they didn't fix my connection"),
        ("@brand Look up my equipment number", "@brand I tried to look up my equipment number"),
        ("@brand please give me my refund", "@brand she finally gave me my refund"),
        ("@brand rude staff. Check my account", "@brand rude staff, they didn't check my account"),
    ],
)
def test_a_demand_for_action_is_a_question_and_a_report_of_one_is_not(demand, report):
    """Guideline rule 2: a meant demand expects a reply; the verb opens the clause."""
    assert "question" in intents_of(demand)
    assert "question" not in intents_of(report)


def test_y_for_why_opens_a_question():
    assert I._QUESTION_START.search("@brand y do they charge you for a bag")
    assert not I._QUESTION_START.search("@brand they charge you for a bag")
    assert not I._QUESTION_START.search("@brand y'all charge for a bag")


@pytest.mark.parametrize(
    ("spam", "ordinary"),
    [
        ("please follow me @star", "please don't un-follow me @star"),
        ("Work from home and earn $500 a day, sign up http://x.co/a",
         "Should I just work from home tomorrow?"),
        ("Get free shipping today only, 20% off http://x.co/a",
         "Hope I get free tickets for the concert"),
        ("Big sale! Use our coupon today http://x.co/a",
         "The sale of my house fell through, the sale date moved http://x.co/a"),
    ],
)  # fmt: skip
def test_promotion_is_spam_and_the_same_words_in_ordinary_posts_are_not(spam, ordinary):
    """Spam is promotion: an offer, a pitch or follow-bait, not one word of the kind."""
    assert intents_of(spam) == ("spam",)
    assert "spam" not in intents_of(ordinary)


def test_a_praise_word_as_a_hashtag_is_no_praise():
    """A hashtag habit (#love #vision) praises nobody; the word said to a brand does."""
    assert "praise" in intents_of("Love the new store, great staff @brand")
    assert "praise" not in intents_of(
        "Welcome Monday. Time to hustle. #hustle #work #love #career #vision"
    )


@pytest.mark.parametrize(
    ("asking", "thanks"),
    [
        ("@brand I'd appreciate it if you stopped emailing me",
         "@brand I appreciate it, you sorted it out"),
        ("@brand my card number is on file. Thanks in advance",
         "@brand my card works again. Thanks"),
    ],
)  # fmt: skip
def test_politeness_around_a_request_asks_and_praises_nothing(asking, thanks):
    """Guideline: "I'd appreciate it if..." and "thanks in advance" wrap a request."""
    assert "question" in intents_of(asking)
    assert "praise" not in intents_of(asking)
    assert "praise" in intents_of(thanks)
