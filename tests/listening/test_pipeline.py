"""The ingest pipeline: exactly-once storage, threading, near-duplicates, cursors."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from django.db import connection

from harken.inbox.models import Conversation
from harken.listening.models import Author, Mention, Source, Topic
from harken.listening.pipeline import ingest, ingest_batches
from tests.listening.helpers import item

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(workspace):
    return Source.objects.create(
        workspace=workspace, name="Mentions", kind=Source.Kind.SEARCH, network="mastodon"
    )


def test_it_stores_a_batch_and_advances_the_cursor_with_it(source):
    result = ingest(source, [item("1"), item("2")], cursor="c-2")
    assert result.stored == 2
    assert sorted(Mention.objects.values_list("external_id", flat=True)) == ["1", "2"]
    source.refresh_from_db()
    assert source.cursor == "c-2"


def test_a_repeated_batch_stores_nothing_twice(source):
    ingest(source, [item("1"), item("2")])
    again = ingest(source, [item("2"), item("3"), item("3")])
    assert (again.stored, again.known) == (1, 2)
    assert Mention.objects.count() == 3
    assert Author.objects.count() == 3


def test_ids_with_quotes_commas_braces_and_backslashes_are_found_again(source):
    # The lookups send their ids to PostgreSQL as one list: each id must come back whole.
    odd = ['say "hi"', "a,b", "{c}", "back\\slash", "it's", "naïve ü", "NULL", "tab\tin"]
    first = ingest(source, [item(ext) for ext in odd])
    replies = [item(f"re-{n}", in_reply_to=ext) for n, ext in enumerate(odd)]
    again = ingest(source, [*(item(ext) for ext in odd), *replies])
    assert (first.stored, again.stored, again.known) == (len(odd), len(odd), len(odd))
    for n, ext in enumerate(odd):
        reply = Mention.objects.get(external_id=f"re-{n}")
        assert reply.conversation_id == Mention.objects.get(external_id=ext).conversation_id


def test_the_same_id_on_two_networks_is_two_mentions(source):
    ingest(source, [item("1"), item("1", network="bluesky")])
    assert Mention.objects.count() == 2


def test_a_batch_is_stored_in_the_workspace_of_its_source(source, other_workspace):
    other = Source.objects.create(
        workspace=other_workspace, name="Theirs", kind="search", network="mastodon"
    )
    ingest(source, [item("1")])
    ingest(other, [item("1")])
    assert Mention.objects.filter(workspace=other_workspace).count() == 1
    assert Mention.objects.filter(workspace=source.workspace).count() == 1


def test_an_item_without_id_is_rejected_and_the_rest_stored(source):
    result = ingest(source, [item(""), item("2")])
    assert result.rejected == [("", "no id")]
    assert list(Mention.objects.values_list("external_id", flat=True)) == ["2"]


def test_only_http_links_are_kept(source):
    ingest(source, [item("1", url="javascript:alert(1)"), item("2", url="http://ok.example/2")])
    urls = dict(Mention.objects.values_list("external_id", "url"))
    assert urls == {"1": "", "2": "http://ok.example/2"}


def test_a_reviews_rating_is_stored_only_as_one_to_five_stars(source):
    ratings = {"1": 4, "2": 1, "3": 5, "4": 0, "5": 9, "6": None, "7": True, "8": 3.0}
    ingest(source, [item(ext, rating=value) for ext, value in ratings.items()])
    stored = dict(Mention.objects.values_list("external_id", "rating"))
    assert stored == {"1": 4, "2": 1, "3": 5, "4": None, "5": None, "6": None, "7": None, "8": None}
    assert Mention.objects.get(external_id="1").stars == "★★★★☆"
    assert Mention.objects.get(external_id="6").stars == ""


def test_an_authors_handle_and_reach_follow_the_latest_item(source):
    ingest(source, [item("1", author_id="a", author_handle="old", author_followers=5)])
    ingest(source, [item("2", author_id="a", author_handle="new", author_followers=None)])
    author = Author.objects.get()
    assert (author.handle, author.followers) == ("new", 5)


def test_a_reply_joins_its_parents_conversation(source):
    ingest(source, [item("1")])
    ingest(source, [item("2", in_reply_to="1", minutes=5), item("3", in_reply_to="2", minutes=6)])
    conversations = set(Mention.objects.values_list("conversation_id", flat=True))
    assert len(conversations) == 1
    assert Conversation.objects.get().root_external_id == "1"


def test_replies_that_arrive_before_their_parent_are_merged_into_its_conversation(source):
    ingest(source, [item("3", in_reply_to="2", minutes=6)])
    ingest(source, [item("2", in_reply_to="1", minutes=5)])
    assert Conversation.objects.count() == 1
    ingest(source, [item("1")])
    assert Conversation.objects.count() == 1
    conversation = Conversation.objects.get()
    assert conversation.root_external_id == "1"
    assert conversation.mentions.count() == 3
    assert conversation.subject_handle == "user1@example.social"


def test_our_reply_records_the_first_response_and_waits_on_the_customer(source):
    ingest(source, [item("1", minutes=0)])
    ingest(source, [item("2", in_reply_to="1", minutes=12, is_own=True)])
    conversation = Conversation.objects.get()
    assert conversation.first_response_seconds == 12 * 60
    assert conversation.status == Conversation.Status.WAITING
    ingest(source, [item("3", in_reply_to="2", minutes=20)])
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.OPEN
    assert conversation.first_response_seconds == 12 * 60


def test_two_roots_open_two_conversations(source):
    ingest(source, [item("1"), item("2")])
    assert Conversation.objects.count() == 2


def test_reshares_of_the_same_text_are_grouped_under_the_first(source):
    text = "Harbor Street Jewelers fixed my ring in one day, amazing service"
    ingest(source, [item("1", text=text, minutes=0)])
    ingest(
        source,
        [
            item("2", text=f"RT @someone: {text.upper()} https://t.co/x", minutes=30),
            item("3", text=f"{text}  @harbor", minutes=60),
            item("4", text="Something else entirely about a different shop", minutes=61),
        ],
    )
    original = Mention.objects.get(external_id="1")
    assert set(original.duplicates.values_list("external_id", flat=True)) == {"2", "3"}
    assert Mention.objects.get(external_id="4").duplicate_of is None


def test_the_same_text_a_fortnight_later_is_a_new_voice(source):
    text = "Harbor Street Jewelers fixed my ring in one day, amazing service"
    fortnight = int(timedelta(days=14).total_seconds() // 60)
    ingest(source, [item("1", text=text, minutes=-fortnight)])
    ingest(source, [item("2", text=text)])
    assert Mention.objects.filter(duplicate_of__isnull=False).count() == 0


def test_short_common_replies_are_not_near_duplicates(source):
    ingest(source, [item("1", text="thanks!"), item("2", text="Thanks!", minutes=1)])
    assert Mention.objects.filter(duplicate_of__isnull=False).count() == 0


def test_enrichment_fills_sentiment_when_the_analysis_app_is_there(source):
    analysis = pytest.importorskip("harken.analysis")
    if not hasattr(analysis, "analyze"):
        pytest.skip("the analysis app has no analyze() yet")
    ingest(source, [item("1", text="Still waiting for my order, this is terrible service")])
    mention = Mention.objects.get()
    assert mention.sentiment in {"negative", "neutral", "positive"}
    assert set(mention.sentiment_scores) == {"negative", "neutral", "positive"}
    assert "complaint" in mention.intents
    assert mention.language == "en"
    assert mention.priority > 0 and mention.priority_reasons


def test_topics_are_attached_when_the_matcher_is_there(source):
    pytest.importorskip("harken.listening.matcher")
    from harken.listening.models import Topic

    topic = Topic.objects.create(workspace=source.workspace, name="Rings", query="rings")
    ingest(source, [item("1", text="New rings in the window"), item("2", text="A necklace")])
    assert list(topic.mentions.values_list("external_id", flat=True)) == ["1"]


def test_a_late_parent_and_a_reply_to_its_stored_child_land_in_one_conversation(source):
    ingest(source, [item("4", in_reply_to="5", minutes=4)])
    ingest(
        source,
        [item("5", in_reply_to="9", minutes=3), item("3", in_reply_to="4", minutes=5)],
    )
    assert Conversation.objects.count() == 1
    assert Conversation.objects.get().mentions.count() == 3


def test_the_networks_thread_id_joins_replies_whose_parents_are_missing(source):
    ingest(source, [item("5", in_reply_to="4", conversation_id="1", minutes=5)])
    ingest(source, [item("7", in_reply_to="6", conversation_id="1", minutes=7)])
    assert Conversation.objects.count() == 1
    ingest(source, [item("1", minutes=0)])
    conversation = Conversation.objects.get()
    assert conversation.root_external_id == "1"
    assert conversation.mentions.count() == 3


@pytest.mark.parametrize("overlapped", [False, True])
def test_lang_filters_use_the_detected_language_when_the_network_gives_none(workspace, overlapped):
    """`lang:` topics see the analysis app's language for items that carry no tag, also
    when the batch was matched while it was prepared, before the analysis ran."""
    from datetime import UTC, datetime

    from harken.listening.models import Mention, Topic
    from harken.listening.pipeline import ingest
    from harken.networks.base import NormalizedItem

    topic = Topic.objects.create(workspace=workspace, name="fr", query="bague lang:fr")

    def item(n: int, text: str) -> NormalizedItem:
        return NormalizedItem(
            network="feed",
            external_id=f"lang-{n}",
            kind="post",
            text=text,
            created=datetime(2026, 11, 1, tzinfo=UTC),
            author_id="a",
            author_handle="a",
        )

    items = [
        item(1, "Je cherche une bague de fiançailles pour ma compagne, des conseils ?"),
        item(2, "bague is a word I use in English sentences about rings all the time"),
    ]
    if overlapped:
        list(ingest_batches(None, [(items, None)], workspace=workspace, overlap=True))
    else:
        ingest(None, items, workspace=workspace)
    matched = set(Mention.objects.filter(topics=topic).values_list("external_id", flat=True))
    assert matched == {"lang-1"}


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_batch_into_tables_without_statistics_analyzes_them(workspace):
    # Without statistics PostgreSQL believes the tables empty and reads a whole workspace
    # for every lookup by id: the first batch must leave statistics behind.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL keeps planner statistics; SQLite's planner needs none here")
    tables = ["listening_mention", "listening_author", "inbox_conversation"]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")  # statistics go with the rows
        cursor.execute(_RELTUPLES, [tables])
        assert {count for (count,) in cursor.fetchall()} == {-1}
    source = Source.objects.create(workspace=workspace, name="M", kind="search", network="x")
    ingest(source, [item("1", network="x"), item("2", network="x", in_reply_to="1")])
    with connection.cursor() as cursor:
        cursor.execute(_RELTUPLES, [tables])
        assert all(count >= 0 for (count,) in cursor.fetchall())


_RELTUPLES = "SELECT reltuples FROM pg_class WHERE relname = ANY(%s)"


# Overlapped ingest: batch N+1 is prepared in a worker thread while batch N is stored.


def _batches(*batches: list) -> list[tuple[list, str]]:
    return [(items, f"c-{n}") for n, items in enumerate(batches, start=1)]


@pytest.mark.parametrize("overlap", [True, False])
def test_overlapped_batches_are_stored_in_order_each_with_its_cursor(source, overlap):
    seen = []
    batches = _batches([item("1"), item("2")], [item("3")], [item("4"), item("5")])
    for result in ingest_batches(source, batches, overlap=overlap):
        source.refresh_from_db()
        seen.append((result.stored, source.cursor))
    assert seen == [(2, "c-1"), (1, "c-2"), (2, "c-3")]
    assert Mention.objects.filter(source=source).count() == 5


def test_a_batch_prepared_early_is_still_deduplicated_against_the_one_before(source):
    # Batch 2 is prepared while batch 1 is stored: "2" is not in the database yet then.
    batches = _batches([item("1"), item("2")], [item("2"), item("3"), item("3")])
    first, second = ingest_batches(source, batches, overlap=True)
    assert (first.stored, first.known) == (2, 0)
    assert (second.stored, second.known) == (1, 2)  # "2" stored before, "3" twice in it
    assert sorted(Mention.objects.values_list("external_id", flat=True)) == ["1", "2", "3"]


def test_overlapped_batches_match_topics_and_keep_rejections(source):
    Topic.objects.create(workspace=source.workspace, name="Harbor", query="harbor")
    batches = _batches([item("1"), item("2", author_id="", author_handle="")], [item("3")])
    first, second = ingest_batches(source, batches, overlap=True)
    assert first.rejected == [("2", "no author")]
    assert Mention.objects.filter(topics__name="Harbor").count() == 2


@pytest.mark.parametrize("overlap", [True, False])
def test_a_failure_while_preparing_is_raised_as_ingest_raises_it_and_stores_nothing(
    source, overlap
):
    broken = dataclasses.replace(item("3"), external_id=3)  # a connector bug: an int id
    with pytest.raises(AttributeError) as sequential:
        ingest(source, [broken])
    batches = _batches([item("1")], [item("2"), broken], [item("4")])
    results = ingest_batches(source, batches, overlap=overlap)
    with pytest.raises(type(sequential.value)):
        for _ in results:
            pass
    source.refresh_from_db()
    assert source.cursor == "c-1"  # the failed batch's cursor never moved
    assert list(Mention.objects.values_list("external_id", flat=True)) == ["1"]


def test_nul_characters_never_reach_the_database(source):
    # PostgreSQL refuses NUL in text (DataError) and the whole batch failed with it.
    nul = item(
        "n\x001",
        author_id="a\x00b",
        author_handle="h\x00andle",
        author_name="Na\x00me",
        url="https://example.social/\x00x",
        in_reply_to="p\x00",
        text="te\x00xt of a post about Harbor Street rings and their service",
    )
    result = ingest(source, [nul, item("2")])
    assert (result.stored, result.rejected) == (2, [])
    mention = Mention.objects.select_related("author").get(external_id="n1")
    assert (mention.url, mention.in_reply_to) == ("https://example.social/x", "p")
    assert (mention.author.external_id, mention.author.handle) == ("ab", "handle")
    assert mention.author.name == "Name"


def test_a_year_one_post_with_a_fingerprint_is_stored_dated_when_it_arrived(source):
    from datetime import UTC, datetime

    # The near-duplicate window (7 days before year 1) overflowed; SQLite's conversion too.
    old = item("1", created=datetime(1, 1, 1, tzinfo=UTC))
    assert ingest(source, [old, item("2")]).stored == 2
    assert Mention.objects.get(external_id="1").posted.year >= 2026
