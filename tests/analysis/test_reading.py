"""Sentiment and intents read as a person reads them: minimal pairs and the demo's texts.

Each pair differs in the few words that change the meaning (a negation, an idiom, the
side of a "but"); the label must follow the meaning, not the words.
"""

from __future__ import annotations

import pytest

from harken.analysis import AnalysisContext, analyze
from harken.analysis.api import contrast_tail
from harken.analysis.text import normalise

BRAND = "Harbor Street Jewelers"
CONTEXT = AnalysisContext(products=[BRAND], competitors=["Rival Rings"])


def read(text: str, context: AnalysisContext | None = None):
    return analyze([text], context)[0]


@pytest.mark.parametrize(
    ("plain", "plain_label", "turned", "turned_label"),
    [
        ("It hurt", "negative", "It didn't hurt at all", "positive"),
        ("I was disappointed", "negative", "I wasn't disappointed", "positive"),
        ("The clasp was bad", "negative", "The clasp was not bad at all", "positive"),
        ("I was rejoicing", "positive", "I wasn't rejoicing", "negative"),
        ("The service was good", "positive", "The service was not good", "negative"),
        ("I had a problem with my order", "negative", "I never had a problem with my order",
         "positive"),
        ("thanks for the ring", "positive", "thanks for nothing", "negative"),
    ],
)  # fmt: skip
def test_negation_minimal_pairs(plain, plain_label, turned, turned_label):
    assert read(plain).sentiment == plain_label
    assert read(turned).sentiment == turned_label


@pytest.mark.parametrize(
    "text",
    [
        "can't thank them enough",
        "I can't recommend this shop enough",
        "couldn't be happier with my ring",
        "couldn't ask for a better jeweler",
        "no complaints at all",
    ],
)
def test_idioms_that_read_backwards_are_positive(text):
    assert read(text).sentiment == "positive"


def test_the_idioms_become_the_words_they_mean():
    assert normalise("Can't thank them enough!") == "thank them so much!"
    assert normalise("just drop by.") == "just visit."
    assert normalise("prices drop in march") == "prices drop in march"
    assert "fine" in normalise("it didn't hurt at all")
    assert "fine" not in normalise("I can't stop crying")  # "stop" is not denied


def test_what_follows_but_weighs_more():
    early = read("The wait was long but the staff were lovely").sentiment_scores
    late = read("The staff were lovely but the wait was long").sentiment_scores
    assert early["positive"] > late["positive"] + 0.2
    assert late["negative"] > early["negative"] + 0.1
    assert contrast_tail("good but bad") is None  # too short on one side
    assert contrast_tail("The butter was great") is None  # a word, not the conjunction


DEMO = [
    ("Does {b} open on Sundays? Want to pick up a repair before Monday", "neutral", {"question"}),
    ("Hey {b}, do you resize rings while I wait or does it take a few days?", "neutral",
     {"question"}),
    ("Is there parking near {b}? Coming from out of town on Saturday", "neutral", {"question"}),
    ("{b} do you still do engraving on silver bracelets? How much?", "neutral", {"question"}),
    ("Still waiting on my order from {b}, two weeks now and no reply to my emails", "negative",
     {"complaint"}),
    ("Really disappointed with {b}, the clasp broke after a week", "negative", {"complaint"}),
    ("{b} charged me twice for the same watch battery. Not great.", "negative", {"complaint"}),
    ("{b} fixed my grandmother's ring in one afternoon, can't thank them enough", "positive",
     {"praise"}),
    ("Lovely people at {b}, they helped me pick the perfect anniversary gift", "positive",
     {"praise"}),
    ("Shout out to {b} for the free cleaning, my ring looks brand new", "positive", {"praise"}),
    ("Anyone know a good independent jeweler for vintage watch repair?", None, {"question"}),
    # A grievance at a competitor is no complaint about us (``competitors`` names it).
    ("Tried Rival Rings for a resize, took ten days", None, {"other"}),
    ("Rival Rings had a 20% off sale this weekend, tempted", None, {"other"}),
    ("Resizing takes about an hour for most rings, just drop by.", "neutral", {"other"}),
    ("Thanks for reaching out! We're open Sunday 11 to 4, see you then.", "positive", None),
]  # fmt: skip


@pytest.mark.parametrize(("text", "sentiment", "intents"), DEMO)
def test_the_demo_workspaces_obvious_cases(text, sentiment, intents):
    """The texts of ``harken demo`` (listening/demo.py) as its newcomer reads them."""
    found = read(text.format(b=BRAND), CONTEXT)
    if sentiment:
        assert found.sentiment == sentiment
    if intents:
        assert set(found.intents) == intents


def test_the_demo_texts_are_the_ones_pinned_here():
    demo = pytest.importorskip("harken.listening.demo")
    shipped = {
        *demo.QUESTIONS, *demo.COMPLAINTS, *demo.PRAISE, *demo.INDUSTRY, *demo.COMPETITOR,
        *demo.ANSWERS,
    }  # fmt: skip
    assert {text.replace("{b}", "{brand}") for text, _, _ in DEMO} <= shipped


@pytest.mark.parametrize(
    "text",
    [
        "Thanks... the link doesn't seem to be working",
        "Thank you, but my order still hasn't arrived",
        "@HarborStreet thanks for the reply, the ring is still broken though",
    ],
)
def test_a_polite_grievance_is_a_complaint_not_praise(text):
    found = read(text)
    assert "complaint" in found.intents
    assert "praise" not in found.intents


@pytest.mark.parametrize(
    "text",
    [
        "Police arrest man after deadly riot downtown, three dead",
        "I hate Mondays, everything is awful",
        "Worst referee decision I have ever seen, we lost the final",
    ],
)
def test_bad_news_with_no_business_at_fault_is_not_a_complaint(text):
    assert "complaint" not in read(text).intents


@pytest.mark.parametrize(
    ("rant", "grievance"),
    [
        (
            "@SenatorX you are a disgrace, terrible vote, pathetic",
            "@HarborStreet you are a disgrace, terrible service, pathetic",
        ),
        (
            "These corrupt politicians are destroying this country, disgusting",
            "@shop my order never arrived",
        ),
        (
            "@POTUS worst president ever, impeach him",
            "@Delta worst airline ever, my flight was delayed five hours",
        ),
    ],
)
def test_a_rant_about_politics_is_not_a_complaint_a_grievance_at_a_business_is(rant, grievance):
    assert "complaint" not in read(rant).intents
    assert "complaint" in read(grievance).intents


def test_a_brand_named_in_its_context_is_a_target_even_in_a_political_sentence():
    text = "Harbor Street Jewelers lost my ring and the governor's office will hear about it"
    assert "complaint" in read(text, CONTEXT).intents


def test_a_grievance_names_the_business_through_its_context():
    text = "Harbor Street Jewelers lost the stones of my earrings, awful"
    assert "complaint" in read(text, CONTEXT).intents
    assert "complaint" in read("@harborstreet lost the stones of my earrings, awful").intents


@pytest.mark.parametrize(
    ("about_them", "about_us"),
    [
        ("Tried Rival Rings for a resize, took ten days",
         "Tried Harbor Street Jewelers for a resize, took ten days"),
        ("Rival Rings lost my earrings after a repair, awful",
         "Harbor Street Jewelers lost my earrings after a repair, awful"),
        ("Still waiting on my order from Rival Rings, two weeks now",
         "Still waiting on my order from Harbor Street Jewelers, two weeks now"),
    ],
)  # fmt: skip
def test_a_grievance_at_a_competitor_is_not_our_complaint(about_them, about_us):
    theirs, ours = read(about_them, CONTEXT), read(about_us, CONTEXT)
    assert "complaint" not in theirs.intents
    assert theirs.competitors == ("Rival Rings",)
    assert "complaint" in ours.intents
    assert ours.products == (BRAND,)
    # Without the workspace's names nobody knows who the rival is: a grievance is a grievance.
    assert "complaint" in read(about_them).intents


def test_a_grievance_naming_us_beside_a_competitor_is_ours():
    text = "Rival Rings took two days, Harbor Street Jewelers took ten days for the same resize"
    found = read(text, CONTEXT)
    assert "complaint" in found.intents
    assert found.competitors == ("Rival Rings",)


@pytest.mark.parametrize(
    "text",
    [
        "@sprintcare are you kidding me? Third outage this week",
        "Seriously?? Still no signal @sprintcare",
        "RT @HarborStreet: Which ring would you pick for a spring wedding?",
        "\u201c@HarborStreet: Which ring would you pick for a spring wedding?\u201d love the blue one",
    ],
)
def test_venting_and_quoted_questions_are_not_questions(text):
    assert "question" not in read(text).intents


@pytest.mark.parametrize(
    "text",
    [
        "Seriously?? When will my order ship? @HarborStreet",
        "@HarborStreet so nobody can say when my ring ships...?",
        "My app won't connect to the bank in iOS 11, any suggestions.. ??",
    ],
)
def test_a_real_question_is_still_a_question(text):
    assert "question" in read(text).intents


@pytest.mark.parametrize(
    "text",
    [
        "Sunset at the pier #beach #summer #love #photo #nofilter #sea #travel",
        "Reading about bitcoin and the history of money tonight",
        "Welcome Monday #hustle #work #career #train #vision #focus https://t.co/x",
        "New spring collection now in store #rings #gold #jewelry #gift #handmade #style",
        "Bitcoin is down again today, glad I sold #bitcoin #btc #crypto #money #market #news",
    ],
)
def test_hashtags_or_a_crypto_word_alone_are_not_spam(text):
    assert "spam" not in read(text).intents


@pytest.mark.parametrize(
    "text",
    [
        "Bitcoin presale is live, 50% off for the first 100 buyers https://t.co/x",
        "#a #b #c #d #e #f #g buy now",
        "Huge sale #rings #gold #deals #jewelry #gift #shop #style",
        "Crypto giveaway! Send 0.1 ETH and get 1 ETH back https://t.co/x",
        "Bitcoin airdrop: claim your free BTC now https://t.co/x",
    ],
)
def test_an_offer_with_a_link_or_a_hashtag_wall_is_spam(text):
    assert read(text).intents == ("spam",)


@pytest.mark.parametrize(
    ("statement", "question"),
    [
        ("@shop doesn't work and I even tried deleting the app",
         "@shop does it work if I delete the app"),
        ("@shop had to wait an hour at the counter", "@shop how long is the wait at the counter"),
        ("@shop my kids have no phones tonight", "@shop my kids have no phones tonight. Help!"),
        ("@shop you don't have chorizo anymore", "@shop why don't you have chorizo anymore"),
    ],
)  # fmt: skip
def test_a_statement_without_its_subject_is_not_a_question_a_request_is(statement, question):
    assert "question" not in read(statement).intents
    assert "question" in read(question).intents
