"""Jetstream's posts reach each workspace that listens, matched against its own topics.

Authors are looked up on a local AppView that answers with real recorded profiles
(tests/networks/bluesky_appview.py); a workspace whose storing fails is made to fail by
the database itself (a trigger that refuses its mentions, as a locked database would).
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from django.db import connection
from websockets.asyncio.server import serve

from harken.listening import jetstream
from harken.listening.jetstream import JetstreamRouter, start_cursor
from harken.listening.models import Mention, Source, Topic
from harken.networks.bluesky.jetstream import Handles, item_from_event
from tests.networks.bluesky_appview import appview_fixture  # noqa: F401 - a fixture
from tests.networks.test_jetstream import AUTHORS, FakeJetstream, _events, _run

WHY = "did:plc:vpkhqolt662uhesyj6nxm7ys"  # why.bsky.team in the recorded profiles


@pytest.fixture(autouse=True)
def _appview(appview):  # every router here names authors on the local AppView
    return appview


def stream_source(workspace, cursor=""):
    return Source.objects.create(
        workspace=workspace,
        name="Bluesky firehose",
        kind=Source.Kind.STREAM,
        network="bluesky",
        cursor=cursor,
    )


def firehose_items(handles=None):
    items = (item_from_event(event, handles) for event in _events())
    return [item for item in items if item is not None]


def texts(workspace) -> set[str]:
    return set(Mention.objects.filter(workspace=workspace).values_list("text", flat=True))


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
    regress, other = next(i for i in firehose_items() if i.text == "regress test"), None
    other = next(i for i in firehose_items() if i.text == "new text114")
    assert router.matches(regress)
    assert not router.matches(other)


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


@pytest.mark.parametrize(
    "query",
    ["regress network:bluesky", "regress lang:en", "regress -network:mastodon"],
)
def test_network_and_language_filters_pass_the_stream(workspace, query):
    stream_source(workspace)
    Topic.objects.create(workspace=workspace, name="t", query=query)
    router = JetstreamRouter()
    regress = next(i for i in firehose_items() if i.text == "regress test")
    assert router.matches(regress)
    router.on_batch([regress], cursor=1)
    assert texts(workspace) == {"regress test"}


def test_a_language_the_post_is_not_in_does_not_pass(workspace):
    stream_source(workspace)
    Topic.objects.create(workspace=workspace, name="t", query="regress lang:fr")
    router = JetstreamRouter()
    assert not any(router.matches(item) for item in firehose_items())


def test_from_matches_the_authors_handle_from_the_first_post(workspace, appview):
    stream_source(workspace)
    Topic.objects.create(workspace=workspace, name="why", query="from:why.bsky.team")
    router = JetstreamRouter()
    assert ["why.bsky.team"] in appview.asked  # the named account, looked up at the start
    items = firehose_items(router.handles)  # as the listener reads them
    passed = [item for item in items if router.matches(item)]
    assert passed and {item.author_id for item in passed} == {WHY}
    router.on_batch(passed, cursor=1)
    stored = Mention.objects.filter(workspace=workspace).select_related("author")
    assert stored.count() == len(passed)
    assert {m.author.handle for m in stored} == {"why.bsky.team"}


def test_authors_of_matching_posts_are_looked_up_in_one_call(workspace, appview):
    stream_source(workspace)
    Topic.objects.create(workspace=workspace, name="t", query="test -from:test.marshal.dev")
    router = JetstreamRouter()
    appview.asked.clear()
    items = firehose_items(router.handles)
    passed = [item for item in items if router.matches(item)]  # authors unknown: all pass
    router.on_batch(passed, cursor=1)
    assert len(appview.asked) == 1
    assert set(appview.asked[0]) == {item.author_id for item in passed}
    # The excluded author's posts went no further once their handle was known.
    stored = Mention.objects.filter(workspace=workspace).select_related("author")
    assert stored.exists()
    assert {m.author.handle for m in stored} == {"why.bsky.team", "divy.zone"}
    assert router.handles.get(AUTHORS[0]) == "test.marshal.dev"


def test_an_appview_that_is_down_leaves_the_did_and_is_not_asked_again_at_once(workspace, appview):
    stream_source(workspace)
    Topic.objects.create(workspace=workspace, name="t", query="test")
    router = JetstreamRouter()
    appview.failing = True
    router.on_batch(firehose_items(), cursor=1)
    asked = len(appview.asked)
    router.on_batch(firehose_items(), cursor=2)
    assert len(appview.asked) == asked  # backing off
    handles = set(Mention.objects.values_list("author__handle", flat=True))
    assert handles and handles <= set(AUTHORS)


# --- One workspace's failures stay its own -------------------------------------------------


def refuse_mentions_of(workspace) -> None:
    """Make the database refuse this workspace's new mentions, as a locked database would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION harken_test_locked() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'database is locked'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER harken_test_locked BEFORE INSERT ON listening_mention "
                f"FOR EACH ROW WHEN (NEW.workspace_id = {int(workspace.pk)}) "
                "EXECUTE FUNCTION harken_test_locked()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER harken_test_locked BEFORE INSERT ON listening_mention "
                f"WHEN NEW.workspace_id = {int(workspace.pk)} "
                "BEGIN SELECT RAISE(ABORT, 'database is locked'); END"
            )


def accept_mentions_again() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER harken_test_locked ON listening_mention")
            cursor.execute("DROP FUNCTION harken_test_locked()")
        else:
            cursor.execute("DROP TRIGGER harken_test_locked")


@pytest.fixture
def quick_retries(monkeypatch):
    monkeypatch.setattr(jetstream, "RETRY_BASE_SECONDS", 0.05)


def wait_for_retry(router) -> None:
    time.sleep(max(0.0, max(r.retry_at for r in router.routes) - time.monotonic()) + 0.01)


def test_a_workspace_that_cannot_store_does_not_stop_the_others(
    workspace, other_workspace, quick_retries, caplog
):
    failing, working = stream_source(workspace), stream_source(other_workspace)
    for ws in (workspace, other_workspace):
        Topic.objects.create(workspace=ws, name="t", query="test")
    router = JetstreamRouter()
    items = firehose_items()
    first, second = items[: len(items) // 2], items[len(items) // 2 :]
    refuse_mentions_of(workspace)

    router.on_batch(first, cursor=100)
    assert "database is locked" in caplog.text
    router.on_batch(second, cursor=200)  # before its retry: the failing one waits
    failing.refresh_from_db()
    working.refresh_from_db()
    assert failing.cursor == "" and not Mention.objects.filter(workspace=workspace).exists()
    assert working.cursor == "200" and texts(other_workspace) == {"regress test", "test"}

    accept_mentions_again()
    wait_for_retry(router)
    router.on_batch([], cursor=300)  # the next batch, even an empty one, retries
    failing.refresh_from_db()
    assert failing.cursor == "300"
    stored = set(Mention.objects.filter(workspace=workspace).values_list("external_id", flat=True))
    assert stored == set(
        Mention.objects.filter(workspace=other_workspace).values_list("external_id", flat=True)
    )


def test_a_retry_that_fails_again_backs_off_longer(workspace, quick_retries):
    stream_source(workspace)
    Topic.objects.create(workspace=workspace, name="t", query="test")
    router = JetstreamRouter()
    refuse_mentions_of(workspace)
    waits = []
    for cursor in (1, 2, 3, 4):
        wait_for_retry(router)
        router.on_batch(firehose_items(), cursor=cursor)
        waits.append(router.routes[0].retry_at - time.monotonic())
    assert router.routes[0].failures == 4
    assert waits[-1] > waits[0]


def test_a_workspace_that_overflows_its_backlog_gets_a_replay(
    workspace, other_workspace, quick_retries, monkeypatch
):
    monkeypatch.setattr(jetstream, "MAX_BACKLOG", 2)
    failing, working = stream_source(workspace, "50"), stream_source(other_workspace, "50")
    for ws in (workspace, other_workspace):
        Topic.objects.create(workspace=ws, name="t", query="test")
    router = JetstreamRouter()
    refuse_mentions_of(workspace)
    assert router.on_batch(firehose_items(), cursor=100) is None  # 3+ hits: over the cap
    assert router.routes[0].stalled

    accept_mentions_again()
    wait_for_retry(router)
    replay = router.on_batch([], cursor=200)
    assert replay == 50  # replay from the failing workspace's own cursor
    router.on_batch(firehose_items(), cursor=120)  # the replayed posts
    failing.refresh_from_db()
    working.refresh_from_db()
    assert texts(workspace) == texts(other_workspace) == {"regress test", "test"}
    assert failing.cursor == "120"
    assert working.cursor == "200"  # a replay never moves a cursor back


def test_a_database_error_while_refreshing_keeps_the_routes(workspace, quick_retries):
    stream_source(workspace)
    Topic.objects.create(workspace=workspace, name="t", query="test")
    router = JetstreamRouter()
    routes = router.routes
    with connection.cursor() as cursor:  # the sources can no longer be read (nor written)
        cursor.execute("ALTER TABLE listening_source RENAME TO listening_source_away")
    try:
        router.refreshed = 0.0
        router.on_batch(firehose_items(), cursor=5)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE listening_source_away RENAME TO listening_source")
    assert router.routes is routes
    wait_for_retry(router)
    router.on_batch([], cursor=6)  # the posts of the failed batch were kept for this
    assert texts(workspace) == {"regress test", "test"}


def test_the_handle_cache_is_shared_with_the_listener(workspace):
    handles = Handles()
    router = JetstreamRouter(handles)
    assert router.handles is handles


def test_the_live_stream_stores_the_posts_of_the_account_a_topic_names(
    transactional_db, workspace, appview
):
    """End to end: a local Jetstream (with a drop), the router, the pipeline, the database."""
    stream_source(workspace)
    Topic.objects.create(workspace=workspace, name="why", query="from:why.bsky.team")
    events = _events()
    want = {
        item.external_id
        for item in map(item_from_event, events)
        if item is not None and item.author_id == WHY
    }
    server, stop = FakeJetstream(events, drop_after=9), threading.Event()

    def stored() -> set[str]:
        try:
            return set(Mention.objects.values_list("external_id", flat=True))
        finally:
            connection.close()  # this thread's own connection

    async def main() -> None:
        async with serve(server.handler, "127.0.0.1", 0) as ws_server:
            url = f"ws://127.0.0.1:{ws_server.sockets[0].getsockname()[1]}/subscribe"
            listening = asyncio.create_task(asyncio.to_thread(jetstream.run, stop, url))
            try:
                while await asyncio.to_thread(stored) != want:
                    await asyncio.sleep(0.1)
            finally:
                stop.set()
                await listening

    _run(main)
    assert Mention.objects.filter(author__handle="why.bsky.team").count() == len(want)
    source = Source.objects.get(workspace=workspace)
    assert int(source.cursor) >= max(e["time_us"] for e in events if e["did"] == WHY)


def test_a_post_that_declares_no_language_passes_to_have_its_language_detected(workspace):
    from dataclasses import replace

    stream_source(workspace)
    Topic.objects.create(workspace=workspace, name="t", query="regression lang:en")
    router = JetstreamRouter()
    english = "regression in the checkout flow again, the whole team is on it today"
    item = replace(next(i for i in firehose_items() if i.text == "regress test"), text=english)
    assert router.matches(replace(item, language=""))  # detected when the batch is stored
    assert not router.matches(replace(item, language="fr"))  # it said French: no
    router.on_batch([replace(item, language="")], cursor=1)
    assert texts(workspace) == {english}
