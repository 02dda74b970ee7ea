"""The stream's search and filters: the same answers on SQLite and PostgreSQL (the suite runs
on both), a bad filter ignored alone, days in the workspace's time zone, re-share counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from harken.listening.filters import parse_search, search
from harken.listening.models import Mention, Source
from harken.listening.pipeline import ingest
from tests.listening.helpers import item

pytestmark = pytest.mark.django_db

URL = reverse("listening")

TEXTS = {
    "1": "Still waiting for my REFUND, third cancelled Flight this month",
    "2": "Refunded at last. Thank you!",
    "3": "École de joaillerie : une très belle BAGUE",
    "4": "ПРИВЕТ из Москвы, кольцо супер",
    "5": "50% off today_only at Harbor Street",
    "6": "Lovely rings and a refund policy that works",
    "7": "ΤΟ ΚΑΤΑΣΤΗΜΑ ΣΑΣ",
}


@pytest.fixture
def source(workspace):
    return Source.objects.create(
        workspace=workspace, name="Search", kind=Source.Kind.SEARCH, network="mastodon"
    )


@pytest.fixture
def mentions(source):
    ingest(source, [item(key, text=text, minutes=int(key)) for key, text in TEXTS.items()])


def found(text: str) -> list[str]:
    return sorted(search(Mention.objects.all(), text).values_list("external_id", flat=True))


def ids(response) -> list[str]:
    return sorted(m.external_id for m in response.context["mentions"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("refund", ["1", "2", "6"]),  # any case, and inside "Refunded"
        ("fligh", ["1"]),  # part of a word
        ("REFUND thank", ["2"]),  # every word
        ("refund -thank -policy", ["1"]),  # -word leaves out
        ('"at last"', ["2"]),  # a phrase
        ('"last at"', []),
        ("école", ["3"]),  # Unicode case: not ASCII only
        ("ÉCOLE bague", ["3"]),
        ("привет КОЛЬЦО", ["4"]),
        ("ΣΑΣ", ["7"]),  # text and term are lowered by the same function
        ("κατάστημα", []),  # case, not accents
        ("50%", ["5"]),  # LIKE wildcards are plain characters
        ("_", ["5"]),
        ("%", ["5"]),
        ("nothing-like-this", []),
        ("-", ["1", "2", "3", "4", "5", "6", "7"]),  # no term at all: no narrowing
    ],
)
def test_search_is_case_insensitive_substring_of_every_term(mentions, query, expected):
    assert found(query) == expected


def test_the_search_box_is_parsed_into_terms():
    terms = parse_search('Refund  "AT   last" -"bad ring" -spam "open')
    assert terms.include == ["Refund", "AT last", "open"]
    assert terms.exclude == ["bad ring", "spam"]


def test_a_bad_filter_is_ignored_alone_and_said_next_to_it(alice_client, mentions):
    response = alice_client.get(URL, {"q": "refund", "since": "garbage"})

    assert ids(response) == ["1", "2", "6"]  # the search still applies
    page = response.content.decode()
    assert "From ignored (“garbage”): Enter a valid date. The other filters still apply." in page


def test_two_bad_filters_keep_the_good_ones(alice_client, mentions, workspace):
    response = alice_client.get(URL, {"q": "refund", "topic": "999999", "until": "2026-13-45"})
    assert ids(response) == ["1", "2", "6"]
    page = response.content.decode()
    assert "Topic ignored" in page and "To ignored" in page


def test_a_bad_filters_value_is_escaped(alice_client, mentions):
    page = alice_client.get(URL, {"since": "<script>x</script>"}).content.decode()
    assert "<script>x" not in page and "&lt;script&gt;x" in page


def test_since_and_until_are_days_in_the_workspaces_time_zone(alice_client, source, workspace):
    # 03:30 UTC on 20 November is still the evening of the 19th in New York.
    at = dt.datetime(2026, 11, 20, 3, 30, tzinfo=dt.UTC)
    ingest(source, [item("late", created=at), item("next", created=at + dt.timedelta(hours=5))])
    workspace.time_zone = "America/New_York"
    workspace.save(update_fields=["time_zone"])

    assert ids(alice_client.get(URL, {"until": "2026-11-19"})) == ["late"]
    assert ids(alice_client.get(URL, {"since": "2026-11-20"})) == ["next"]
    page = alice_client.get(URL).content.decode()
    assert "19 Nov 2026, 10:30 pm EST" in page  # the exact time shown in local time


def test_the_same_days_in_utc_when_the_workspace_says_utc(alice_client, source):
    at = dt.datetime(2026, 11, 20, 3, 30, tzinfo=dt.UTC)
    ingest(source, [item("late", created=at)])
    assert ids(alice_client.get(URL, {"until": "2026-11-19"})) == []
    assert ids(alice_client.get(URL, {"since": "2026-11-20", "until": "2026-11-20"})) == ["late"]


def test_reshare_counts_are_those_of_the_rows_shown(alice_client, source):
    text = "Harbor Street Jewelers fixed my ring in one day, amazing service"
    other = "Another original post about Harbor Street rings that people share"
    ingest(
        source,
        [
            item("1", text=text),
            item("2", text=f"RT {text}", minutes=1),
            item("3", text=f"RT: {text}", minutes=2),
            item("4", text=other, minutes=3),
            item("5", text=f"RT {other}", minutes=4),
        ],
    )
    mentions = alice_client.get(URL).context["mentions"]
    assert {m.external_id: m.duplicate_count for m in mentions} == {"1": 2, "4": 1}
    shown = alice_client.get(URL, {"reshares": "on"}).context["mentions"]
    assert {m.external_id: m.duplicate_count for m in shown}["2"] == 0
