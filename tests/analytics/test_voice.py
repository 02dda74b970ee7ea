"""The voice of the typical customer, on hand-built workspaces whose right answer is known."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from harken.analytics import voice
from harken.analytics.models import CustomerBase
from harken.analytics.periods import Period, Scope
from harken.analytics.voice_load import STATUS, typical
from harken.contacts.models import Contact, Identity
from harken.listening.models import Author
from tests.analytics.conftest import add_mention

#: Three age bands: their share of the customers, how many of each were heard, how many of
#: those are unhappy — the same share as among all its customers (the truth).
BANDS = {"under 35": (0.5, 60, 12), "35-64": (0.3, 30, 9), "65+": (0.2, 10, 4)}
#: The 5 loud authors (5 % of 100) and how many of them sit in each band.
LOUD = {"under 35": 2, "35-64": 2, "65+": 1}
TRUTH = 0.5 * 12 / 60 + 0.3 * 9 / 30 + 0.2 * 4 / 10  # 0.27


def loud_few() -> tuple[list[voice.Vote], dict[str, str]]:
    """100 authors; the 5 loud ones send 12 complaints each, 60 % of all 100."""
    votes, segment_of = [], {}
    for band, (_, heard, unhappy) in BANDS.items():
        for n in range(heard):
            person = f"{band}-{n}"
            segment_of[person] = band
            if n < LOUD[band]:
                votes.append(voice.Vote(person, "negative", 12))
            elif n < unhappy:
                votes.append(voice.Vote(person, "negative", 2))
            else:
                votes.append(voice.Vote(person, "positive", 1))
    return votes, segment_of


def test_a_few_loud_authors_make_the_messages_mostly_negative_but_not_the_people():
    votes, segment_of = loud_few()
    negative_messages = sum(v.count for v in votes if v.sentiment == "negative")
    loud = sum(v.count for v in votes if v.count == 12)
    assert (negative_messages, loud / negative_messages) == (100, 0.6)

    messages = voice.by_message(votes)
    assert messages.leaning == "negative"
    assert messages.negative == pytest.approx(100 / 175)

    persons = voice.by_person(votes)
    assert persons.votes == 100
    assert persons.negative == pytest.approx(0.25)
    assert persons.leaning == "positive"

    base = {band: share for band, (share, _, _) in BANDS.items()}
    estimate = voice.weighted(votes, segment_of, base, "negative")
    assert estimate.value == pytest.approx(TRUTH)
    assert estimate.holds(TRUTH)
    assert estimate.high is not None and estimate.high < 0.5
    assert estimate.low is not None and estimate.low < TRUTH < estimate.high
    assert estimate.coverage == pytest.approx(1.0)


def test_the_interval_is_the_same_twice_and_narrows_with_more_voices():
    votes, segment_of = loud_few()
    base = {band: share for band, (share, _, _) in BANDS.items()}
    once = voice.weighted(votes, segment_of, base)
    again = voice.weighted(votes, segment_of, base)
    assert (once.low, once.high) == (again.low, again.high)
    tenfold = [
        voice.Vote(f"{v.person}/{k}", v.sentiment, v.count) for v in votes for k in range(10)
    ]
    wider = {f"{p}/{k}": s for p, s in segment_of.items() for k in range(10)}
    more = voice.weighted(tenfold, wider, base)
    assert more.value == pytest.approx(once.value)
    assert (more.high - more.low) < (once.high - once.low) / 2


def test_fifty_complaints_from_one_person_are_one_voice():
    votes = [voice.Vote("loud", "negative", 50), voice.Vote("calm", "positive", 1)]
    assert voice.by_message(votes).negative == pytest.approx(50 / 51)
    assert voice.by_person(votes).negative == pytest.approx(0.5)


def test_a_person_with_mixed_messages_is_split_by_their_own_shares():
    votes = [
        voice.Vote("a", "negative", 3),
        voice.Vote("a", "positive", 1),
        voice.Vote("b", "neutral", 2),
    ]
    split = voice.by_person(votes)
    assert (split.negative, split.positive, split.neutral) == pytest.approx((0.375, 0.125, 0.5))


def test_segments_nobody_spoke_for_lower_the_coverage_and_are_named():
    votes = [voice.Vote(f"p{n}", "positive") for n in range(12)] + [voice.Vote("o", "negative")]
    segment_of = {**{f"p{n}": "north" for n in range(12)}, "o": "south"}
    base = {"north": 60, "south": 30, "east": 10}
    estimate = voice.weighted(votes, segment_of, base)
    assert estimate.coverage == pytest.approx(0.9)
    assert estimate.value == pytest.approx(30 / 90)
    quiet = voice.not_heard("region", estimate.segments)
    assert [(q.segment, q.voices) for q in quiet] == [("east", 0), ("south", 1)]


def test_nothing_heard_gives_no_estimate():
    estimate = voice.weighted([], {}, {"north": 1.0})
    assert estimate.value is None and not estimate.holds(0.0)
    assert voice.by_person([]).votes == 0


def test_a_base_from_contacts_is_their_shares():
    assert voice.base_from_contacts(["a", "a", "b", "", "a"]) == {"a": 0.75, "b": 0.25}


# The same from stored mentions and contacts.


def _store(workspace):
    """The loud-few world as mentions; each person a contact with an age band, and one of
    the loud ones writing from two networks (one contact, two authors)."""
    now = timezone.now() - dt.timedelta(hours=2)
    for band, (_, heard, unhappy) in BANDS.items():
        for n in range(heard):
            handle = f"{band.replace(' ', '')}-{n}"
            contact = Contact.objects.create(
                workspace=workspace,
                name=handle,
                status="customer",
                segments={"age band": band},
            )
            sentiment = "negative" if n < unhappy else "positive"
            many = 12 if n < LOUD[band] else (2 if n < unhappy else 1)
            networks = ("mastodon", "bluesky") if (band, n) == ("65+", 0) else ("mastodon",)
            for k in range(many):
                network = networks[k % len(networks)]
                add_mention(workspace, now, network=network, handle=handle, sentiment=sentiment)
            for network in networks:
                author = Author.objects.get(workspace=workspace, network=network, handle=handle)
                Identity.objects.create(
                    workspace=workspace,
                    contact=contact,
                    network=network,
                    handle=handle,
                    author=author,
                )
    for n in range(3):
        Contact.objects.create(workspace=workspace, name=f"quiet {n}", status="non_customer")


@pytest.mark.django_db
def test_stored_mentions_give_the_same_answer_with_the_entered_base(workspace):
    _store(workspace)
    for band, (share, _, _) in BANDS.items():
        CustomerBase.objects.create(
            workspace=workspace, dimension="age band", segment=band, share=share * 100
        )
    today = timezone.now().date()
    scope = Scope(workspace, Period(today - dt.timedelta(days=6), today + dt.timedelta(days=1)))
    seen = typical(scope, "age band")
    assert seen.base_source == "entered"
    assert seen.by_message.leaning == "negative"
    # 100 people, not 101 authors: the loud one on two networks is one contact.
    assert seen.by_person.votes == 100
    assert seen.by_person.negative == pytest.approx(0.25)
    assert seen.negative.value == pytest.approx(TRUTH)
    assert seen.negative.holds(TRUTH)
    # The 65+ band has 10 voices (just trusted); non-customers were not heard at all.
    assert [(q.dimension, q.segment, q.voices) for q in seen.quiet] == [(STATUS, "Non-customer", 0)]


@pytest.mark.django_db
def test_without_an_entered_base_the_contacts_stand_in(workspace):
    _store(workspace)
    today = timezone.now().date()
    scope = Scope(workspace, Period(today - dt.timedelta(days=6), today + dt.timedelta(days=1)))
    seen = typical(scope, "age band")
    assert seen.base_source == "contacts"
    # The contacts are the heard ones themselves (60/30/10): the unweighted person vote.
    assert seen.negative.value == pytest.approx(0.25)
    assert "age band" in seen.dimensions and STATUS in seen.dimensions


# The page.


@pytest.mark.django_db
def test_the_typical_customer_page_shows_the_three_counts(workspace, victor):
    from tests.conftest import client_for

    _store(workspace)
    html = client_for(victor).get("/analytics/typical-customer/?dimension=age+band").content
    text = html.decode()
    assert 'id="stat-per-message"' in text and "57 %" in text  # 100 of 175 messages
    assert 'id="stat-per-person"' in text and "25 %" in text
    assert "The messages are mostly negative, the people are not" in text
    assert "Who we are not hearing from" in text and "Non-customer" in text
    assert "/calendar/compose/?text=" in text
    # A viewer neither enters the customer base nor downloads names and addresses.
    assert "Save the customer base" not in text and "outreach.csv" not in text
    assert 'aria-current="page">Typical customer' in text


@pytest.mark.django_db
def test_a_manager_enters_the_customer_base_and_bad_lines_are_refused(workspace, alice_client):
    _store(workspace)
    answer = alice_client.post(
        "/analytics/typical-customer/?dimension=age+band",
        {"dimension": "age band", "shares": "under 35 = 50\n35-64 = 30\n65+ = 20 %"},
    )
    assert answer.status_code == 302
    saved = CustomerBase.objects.filter(workspace=workspace).order_by("segment")
    assert [(b.segment, b.share) for b in saved] == [
        ("35-64", 30.0),
        ("65+", 20.0),
        ("under 35", 50.0),
    ]
    page = alice_client.get(answer["Location"]).content.decode()
    assert "the customer base a manager entered" in page and "27 %" in page
    refused = alice_client.post(
        "/analytics/typical-customer/?dimension=age+band",
        {"dimension": "age band", "shares": "=HYPERLINK(1) = 90\nteens = 30"},
    )
    assert refused.status_code == 302
    assert CustomerBase.objects.filter(workspace=workspace).count() == 3
    again = alice_client.get(refused["Location"]).content.decode()
    assert "more than 100 %" in again


@pytest.mark.django_db
def test_only_a_manager_changes_the_base_or_gets_the_outreach_list(workspace, victor, alice):
    from tests.conftest import client_for

    _store(workspace)
    viewer = client_for(victor)
    assert (
        viewer.post(
            "/analytics/typical-customer/?dimension=age+band",
            {"dimension": "age band", "shares": "x = 1"},
        ).status_code
        == 403
    )
    assert not CustomerBase.objects.exists()
    assert viewer.get("/analytics/typical-customer/outreach.csv").status_code == 403
    Contact.objects.create(workspace=workspace, name="=cmd|' /C calc'!A0", status="non_customer")
    listing = client_for(alice).get(
        "/analytics/typical-customer/outreach.csv?dimension=customer+status&segment=Non-customer"
    )
    rows = listing.content.decode().splitlines()
    assert rows[0] == "name,e-mail,status,customer status"
    assert len(rows) == 5 and any(r.startswith("'=cmd") for r in rows)


@pytest.mark.django_db
def test_each_chart_downloads_as_csv(workspace, victor):
    from tests.conftest import client_for

    _store(workspace)
    client = client_for(victor)
    csv = client.get("/analytics/typical-customer/csv/typical-three-ways/?dimension=age+band")
    assert csv.status_code == 200
    assert csv.content.decode().splitlines()[2].startswith("Per person,25")
    assert client.get("/analytics/typical-customer/csv/nothing/").status_code == 404


@pytest.mark.django_db
def test_the_figures_are_cached_until_the_customer_base_changes(workspace):
    _store(workspace)
    today = timezone.now().date()
    scope = Scope(workspace, Period(today - dt.timedelta(days=6), today + dt.timedelta(days=1)))
    first = typical(scope, "age band")
    assert typical(scope, "age band") == first
    for band, (share, _, _) in BANDS.items():
        CustomerBase.objects.create(
            workspace=workspace, dimension="age band", segment=band, share=share * 100
        )
    changed = typical(scope, "age band")
    assert (first.base_source, changed.base_source) == ("contacts", "entered")
