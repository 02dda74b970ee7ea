"""Jetstream's posts reach each workspace that listens, matched against its own topics."""

from __future__ import annotations

from harken.listening.jetstream import JetstreamRouter, start_cursor
from harken.listening.models import Mention, Source, Topic
from harken.networks.bluesky.jetstream import item_from_event
from tests.networks.test_jetstream import _events


def stream_source(workspace, cursor=""):
    return Source.objects.create(
        workspace=workspace,
        name="Bluesky firehose",
        kind=Source.Kind.STREAM,
        network="bluesky",
        cursor=cursor,
    )


def firehose_items():
    return [item for item in map(item_from_event, _events()) if item is not None]


def test_each_workspace_stores_only_the_posts_its_topics_match(workspace, other_workspace):
    ours, theirs = stream_source(workspace), stream_source(other_workspace)
    Topic.objects.create(workspace=workspace, name="regressions", query="regress")
    Topic.objects.create(workspace=other_workspace, name="new text", query='"new text114"')
    router = JetstreamRouter()
    items = firehose_items()
    router.on_batch(items, cursor=1_725_911_170_000_000)

    our_texts = set(Mention.objects.filter(workspace=workspace).values_list("text", flat=True))
    their_texts = set(
        Mention.objects.filter(workspace=other_workspace).values_list("text", flat=True)
    )
    assert our_texts == {"regress test"}
    assert their_texts == {"new text114"}
    for source in (ours, theirs):
        source.refresh_from_db()
        assert source.cursor == "1725911170000000"  # stored with the batch


def test_the_predicate_lets_through_what_any_workspace_listens_for(workspace):
    stream_source(workspace)
    Topic.objects.create(workspace=workspace, name="regressions", query="regress")
    router = JetstreamRouter()
    assert router.matches("a regress test")
    assert not router.matches("nothing to see")


def test_a_disabled_source_or_topic_hears_nothing(workspace):
    source = stream_source(workspace)
    source.enabled = False
    source.save(update_fields=["enabled"])
    Topic.objects.create(workspace=workspace, name="t", query="test", enabled=True)
    router = JetstreamRouter()
    router.on_batch(firehose_items(), cursor=1)
    assert not Mention.objects.exists()


def test_a_second_delivery_of_the_same_batch_stores_nothing_new(workspace):
    stream_source(workspace)
    Topic.objects.create(workspace=workspace, name="t", query="test")
    router = JetstreamRouter()
    router.on_batch(firehose_items(), cursor=1)
    count = Mention.objects.count()
    router.on_batch(firehose_items(), cursor=2)  # the overlap replayed after a reconnect
    assert Mention.objects.count() == count > 0


def test_listening_resumes_from_the_oldest_cursor(workspace, other_workspace):
    sources = [stream_source(workspace, "300"), stream_source(other_workspace, "200")]
    assert start_cursor(sources) == 200
    assert start_cursor([stream_source(workspace)]) is None
