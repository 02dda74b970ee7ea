"""The data migration that gives stored ids the form new ones have: a feed entry's id
names its feed, a Mastodon status's or account's id names its server."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from harken.inbox.models import Conversation
from harken.listening.models import Author, Mention, Source
from harken.listening.pipeline import ingest
from harken.networks.models import Account
from harken.networks.registry import connector_for
from tests.listening.helpers import item

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "harken.listening.migrations.0002_ids_name_their_feed_and_server"
)
FEED = "https://news.example/feed.xml"


@pytest.fixture
def feed(workspace):
    return Source.objects.create(
        workspace=workspace, name="News", kind=Source.Kind.FEED, network="feed", url=FEED
    )


@pytest.fixture
def mastodon(workspace):
    account = Account.objects.create(
        workspace=workspace,
        network="mastodon",
        handle="@shop@a.example",
        config={"instance": "https://a.example", "access_token": "t", "account_id": "1"},
    )
    return Source.objects.create(
        workspace=workspace,
        name="Mentions",
        kind=Source.Kind.ACCOUNT,
        network="mastodon",
        account=account,
    )


def test_stored_feed_ids_name_their_feed_and_urls_stay(feed):
    ingest(feed, [item("1", network="feed"), item("https://news.example/2", network="feed")])

    migration.rewrite(apps, None)

    ids = set(Mention.objects.values_list("external_id", flat=True))
    assert ids == {f"{FEED}#1", "https://news.example/2"}
    roots = set(Conversation.objects.values_list("root_external_id", flat=True))
    assert roots == ids
    # The connector's id for the same entry finds the stored mention: nothing is doubled.
    from harken.networks.feeds.connector import item_id

    again = ingest(feed, [item(item_id(FEED, "1"), network="feed")])
    assert (again.stored, again.known) == (0, 1)


def test_stored_mastodon_ids_name_their_server_and_threads_go_on(mastodon):
    old = item("7", author_id="3", in_reply_to="6")
    ingest(mastodon, [item("6", author_id="4"), old])

    migration.rewrite(apps, None)

    stored = Mention.objects.get(external_id="a.example/7")
    assert stored.in_reply_to == "a.example/6"
    assert set(Author.objects.values_list("external_id", flat=True)) == {
        "a.example/3",
        "a.example/4",
    }
    (conversation,) = Conversation.objects.all()
    assert conversation.root_external_id == "a.example/6"
    assert conversation.subject_external_id.startswith("a.example/")

    # A new reply, read by the connector, joins the old thread; the old status is known.
    connector = connector_for(mastodon.account)
    status = {
        "id": "8",
        "uri": "https://a.example/users/x/statuses/8",
        "created_at": "2026-11-20T10:00:00Z",
        "content": "<p>Thanks!</p>",
        "in_reply_to_id": "7",
        "account": {"id": "3", "acct": "x", "display_name": "X"},
    }
    result = ingest(
        mastodon,
        [
            connector.normalize(status),
            connector.normalize({**status, "id": "7", "in_reply_to_id": "6"}),
        ],
    )
    assert (result.stored, result.known) == (1, 1)
    assert Mention.objects.get(external_id="a.example/8").conversation == conversation
    assert Author.objects.count() == 2  # the author of 7 and 8 is the same person


def test_running_it_twice_changes_nothing_more(feed, mastodon):
    ingest(feed, [item("1", network="feed")])
    ingest(mastodon, [item("7", author_id="3")])
    migration.rewrite(apps, None)
    first = sorted(Mention.objects.values_list("external_id", "in_reply_to"))
    migration.rewrite(apps, None)
    assert sorted(Mention.objects.values_list("external_id", "in_reply_to")) == first
    authors = Author.objects.filter(network="mastodon").values_list("external_id", flat=True)
    assert list(authors) == ["a.example/3"]


def test_rows_whose_server_cannot_be_known_keep_their_ids(workspace):
    orphan = Source.objects.create(
        workspace=workspace, name="Sample", kind=Source.Kind.SEARCH, network="mastodon"
    )
    ingest(orphan, [item("7", author_id="3")])
    migration.rewrite(apps, None)
    assert Mention.objects.get().external_id == "7"
