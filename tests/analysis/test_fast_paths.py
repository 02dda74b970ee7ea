"""The shortcuts that skip a regex pass say no only where the regex would say no too.

Each one is a cheap test that runs before a costly pattern (``intents._OFFER_OR_ASK``
before the spam, job and purchase cues, ``_ASK_CUES`` before the question cues and
``_DEMAND``, ``_may_quote`` before ``_QUOTED``, ``_may_thank`` before ``_THANKS``,
``language.has_letters`` for ``any(ch.isalpha() ...)``). They are checked here on the
recorded texts and on hand-made edge cases, against the slow answer.
"""

from __future__ import annotations

import pytest

from harken.analysis import intents as I
from harken.analysis import language
from harken.analysis.labelled import read_labelled
from tests.conftest import shared_data

EDGE_CASES = [
    "",
    "rt @brand: is it down?",
    '"@brand is it down',
    "“@brand are you open",
    "@brand: when do you open",
    "@brand when do you open",
    "thank you so much",
    "ty!",
    "city party",
    "much appreciated",
    "ありがとう ございます",
    "merci beaucoup @brand",
    "are you hiring? #jobs",
    "follow me and retweet to win a free phone",
    "20% off today, link in bio",
    "where can i buy the blue one",
    "café ½ ² ٣ 𝔸",
    "12345 !!! ???",
    "ǅ ǈ",
    "@brand fix my connection",
    "rude staff. check my account",
    "you look up my number, please give me my refund",
    "they didn't fix my phone",
]


def recorded_texts() -> list[str]:
    folder = shared_data("semeval-sentiment")
    texts, _ = read_labelled(folder / "twitter-2016devtest-A.tsv")
    return [t.lower().replace("’", "'") for t in texts] + EDGE_CASES


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return recorded_texts()


def test_the_offer_or_ask_gate_matches_wherever_one_of_its_cues_does(texts):
    cues = (I._SPAM_CUES, I._SPAM_WEAK, I._JOB_CUES, I._PURCHASE_CUES)
    for text in texts:
        assert bool(I._OFFER_OR_ASK.search(text)) == any(c.search(text) for c in cues), text


def test_a_quote_is_looked_for_only_where_one_could_be(texts):
    for text in texts:
        if I._QUOTED.search(text):
            assert I._may_quote(text), text


def test_the_ask_gate_matches_wherever_a_question_cue_or_a_demands_verb_does(texts):
    for text in texts:
        either = I._QUESTION_CUES.search(text) or I._DEMAND_VERB.search(text)
        assert bool(I._ASK_CUES.search(text)) == bool(either), text


def test_a_demand_is_looked_for_only_where_its_verb_is(texts):
    found = 0
    for text in texts:
        if I._DEMAND.search(text):
            found += 1
            assert I._DEMAND_VERB.search(text), text
    assert found >= 3  # the edge cases' demands at least


def test_thanks_are_looked_for_only_where_they_could_be(texts):
    for text in texts:
        if I._THANKS.search(text):
            assert I._may_thank(text), text


def test_has_letters_is_any_isalpha(texts):
    for text in [*texts, *(t.upper() for t in texts)]:
        assert language.has_letters(text) == any(ch.isalpha() for ch in text), text
