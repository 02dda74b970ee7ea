"""The Jetstream listener against a local WebSocket server that replays Jetstream events.

The events follow the format of bluesky-social/jetstream's README; their records are
the real post records recorded by MarshalX/atproto (recorded-api/bluesky-atproto/),
posted by several authors one second apart, with a like, a delete and an identity event
in between that the listener must skip. The server honours ``wantedCollections`` and
``cursor`` (replay from a time_us) and drops the first connection mid-stream.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
from websockets.asyncio.server import serve

from harken.networks.base import ConnectorError
from harken.networks.bluesky.jetstream import (
    PROFILES_PER_CALL,
    Handles,
    JetstreamListener,
    item_from_event,
    profiles,
)
from tests.networks.bluesky_appview import appview_fixture  # noqa: F401 - a fixture
from tests.networks.recorded import recorded

START_US = 1_725_911_162_000_000
AUTHORS = [
    "did:plc:kvwvcn5iqfooopmyzvb4qzba",
    "did:plc:vpkhqolt662uhesyj6nxm7ys",
    "did:plc:l3rouwludahu3ui3bt66mfvj",
]


def _records() -> list[dict]:
    records = [
        json.loads(recorded("bluesky-atproto", name).read_text())["value"]
        for name in ("post_record.json", "extended_post_record.json")
    ]
    thread = json.loads(
        recorded("bluesky-atproto", "thread_view_post_with_embed_media.json").read_text()
    )
    records.append(thread["thread"]["post"]["record"])
    records.append(thread["thread"]["post"]["embed"]["record"]["record"]["value"])
    return records


def _events(count: int = 24) -> list[dict]:
    records, events = _records(), []
    for n in range(count):
        did, time_us = AUTHORS[n % len(AUTHORS)], START_US + n * 1_000_000
        commit = {
            "rev": f"3l3qo2vuowo2{n:02d}",
            "operation": "create",
            "collection": "app.bsky.feed.post",
            "rkey": f"3l3qo2vutsw{n:02d}",
            "record": records[n % len(records)],
            "cid": f"bafyreidc{n:02d}",
        }
        if n % 7 == 3:
            commit = {
                **commit,
                "collection": "app.bsky.feed.like",
                "record": {"$type": "app.bsky.feed.like"},
            }
        if n % 7 == 5:
            commit = {
                "rev": commit["rev"],
                "operation": "delete",
                "collection": "app.bsky.feed.post",
                "rkey": "x",
            }
        event = {"did": did, "time_us": time_us, "kind": "commit", "commit": commit}
        if n == 10:
            event = {
                "did": did,
                "time_us": time_us,
                "kind": "identity",
                "identity": {
                    "did": did,
                    "handle": "why.bsky.team",
                    "seq": 1,
                    "time": "2024-09-09T19:46:02Z",
                },
            }
        events.append(event)
    return events


def _run(main):
    """``asyncio.run`` in a thread of its own: other suites' tests (browser ones) may leave
    an event loop running in the main thread, where ``asyncio.run`` refuses to start."""
    result: dict = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            result["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=20)
    if "error" in result:
        raise result["error"]
    return result.get("value")


def _post_uris(events: list[dict]) -> set[str]:
    return {item.external_id for item in map(item_from_event, events) if item is not None}


class FakeJetstream:
    """Serves the events; the first connection is cut after ``drop_after`` events."""

    def __init__(self, events: list[dict], drop_after: int | None) -> None:
        self.events, self.drop_after = events, drop_after
        self.queries: list[dict[str, list[str]]] = []

    async def handler(self, ws) -> None:
        query = parse_qs(urlsplit(ws.request.path).query)
        self.queries.append(query)
        wanted = set(query.get("wantedCollections", []))
        since = int(query["cursor"][0]) if "cursor" in query else 0
        sent = 0
        await ws.send("{not json")  # a garbled frame must not stop the listener
        for event in self.events:
            collection = event.get("commit", {}).get("collection")
            if event["time_us"] < since or (wanted and collection and collection not in wanted):
                continue
            if len(self.queries) == 1 and sent == self.drop_after:
                ws.transport.abort()  # the network goes away: no close frame
                return
            await ws.send(json.dumps(event))
            sent += 1
        await ws.wait_closed()  # a live stream stays open, quiet, until the client leaves


def _listen(
    events: list[dict],
    *,
    drop_after: int | None,
    matches=None,
    cursor=None,
    want: set[str],
    store=None,
    handles=None,
):
    """Run a listener against the fake until it has delivered ``want``; return what it saw.

    ``store(items, cursor)`` is called first for each batch, as the router would be: what
    it raises fails the delivery, what it returns goes back to the listener.
    """
    server = FakeJetstream(events, drop_after)
    batches: list[tuple[list, int]] = []
    stop = threading.Event()

    def on_batch(items, batch_cursor) -> int | None:
        replay = store(items, batch_cursor) if store else None
        batches.append((items, batch_cursor))
        if {i.external_id for items, _ in batches for i in items} >= want:
            stop.set()
        return replay

    async def main() -> JetstreamListener:
        async with serve(server.handler, "127.0.0.1", 0) as ws_server:
            port = ws_server.sockets[0].getsockname()[1]
            listener = JetstreamListener(
                on_batch,
                matches=matches,
                cursor=cursor,
                url=f"ws://127.0.0.1:{port}/subscribe",
                batch_size=4,
                batch_seconds=0.05,
                overlap_seconds=2,
                backoff_base=0.01,
                handles=handles,
                stop=stop,
            )
            await asyncio.wait_for(listener.run_async(), timeout=10)
            return listener

    listener = _run(main)
    return server, batches, listener


def test_every_post_arrives_once_after_a_drop():
    events = _events()
    want = _post_uris(events)
    server, batches, listener = _listen(events, drop_after=9, want=want)
    delivered = [item.external_id for items, _ in batches for item in items]
    assert set(delivered) == want  # nothing lost
    repeats = Counter(delivered) - Counter(set(delivered))
    # Duplicates only from the overlap: at most the last 2 seconds (2 events) before the cursor.
    assert sum(repeats.values()) <= 3
    assert listener.connections == 2


def test_the_reconnect_resumes_from_the_durable_cursor_minus_the_overlap():
    events = _events()
    server, batches, _ = _listen(events, drop_after=9, want=_post_uris(events))
    assert server.queries[0] == {"wantedCollections": ["app.bsky.feed.post"]}
    # Nine events were sent before the drop; the likes were filtered out by the server.
    sent_before_drop = [
        e for e in events if e.get("commit", {}).get("collection") != "app.bsky.feed.like"
    ][:9]
    durable = sent_before_drop[-1]["time_us"]
    assert durable in [cursor for _, cursor in batches]
    assert server.queries[1]["cursor"] == [str(durable - 2_000_000)]


def test_cursors_only_move_forward():
    events = _events()
    _, batches, listener = _listen(events, drop_after=9, want=_post_uris(events))
    cursors = [cursor for _, cursor in batches]
    assert cursors == sorted(cursors)
    assert listener.cursor == cursors[-1]


def test_a_stored_cursor_is_where_a_new_run_starts():
    events = _events()
    cursor = events[15]["time_us"]
    later = _post_uris([e for e in events if e["time_us"] > cursor])
    server, batches, _ = _listen(events, drop_after=None, cursor=cursor, want=later)
    assert server.queries[0]["cursor"] == [str(cursor - 2_000_000)]
    delivered = {item.external_id for items, _ in batches for item in items}
    assert delivered >= later
    assert all(
        item_time >= cursor - 2_000_000
        for item_time in (i.raw["time_us"] for b, _ in batches for i in b)
    )


def test_only_posts_the_topics_match_are_delivered():
    events = _events()
    matches = lambda item: "regress" in item.text  # noqa: E731  (the caller's compiled topics)
    want = {
        i.external_id for i in map(item_from_event, events) if i is not None and "regress" in i.text
    }
    assert want
    _, batches, _ = _listen(events, drop_after=9, matches=matches, want=want)
    delivered = {item.external_id for items, _ in batches for item in items}
    assert delivered == want


def test_a_create_event_becomes_a_bluesky_item():
    event = _events(1)[0]
    item = item_from_event(event)
    assert (
        item.external_id == "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3l3qo2vutsw00"
    )
    assert (
        item.url == "https://bsky.app/profile/did:plc:kvwvcn5iqfooopmyzvb4qzba/post/3l3qo2vutsw00"
    )
    assert item.text == "new text114"
    assert item.network == "bluesky" and item.kind == "post"
    assert item.created.isoformat() == "2024-02-22T19:58:13.903293+00:00"


@pytest.mark.parametrize(
    "event",
    [
        {"did": "d", "time_us": 1, "kind": "identity", "identity": {}},
        {
            "did": "d",
            "time_us": 1,
            "kind": "commit",
            "commit": {"operation": "delete", "collection": "app.bsky.feed.post"},
        },
        {
            "did": "d",
            "time_us": 1,
            "kind": "commit",
            "commit": {
                "operation": "create",
                "collection": "app.bsky.feed.like",
                "rkey": "r",
                "record": {},
            },
        },
    ],
)
def test_other_events_are_not_posts(event):
    assert item_from_event(event) is None


@pytest.mark.parametrize(
    "event",
    [
        {
            "time_us": 1,
            "kind": "commit",
            "commit": {
                "operation": "create",
                "collection": "app.bsky.feed.post",
                "rkey": "r",
                "record": {},
            },
        },
        {
            "did": "d",
            "time_us": 1,
            "kind": "commit",
            "commit": {"operation": "create", "collection": "app.bsky.feed.post", "record": {}},
        },
        {
            "did": "d",
            "time_us": 1,
            "kind": "commit",
            "commit": {
                "operation": "create",
                "collection": "app.bsky.feed.post",
                "rkey": "r",
                "record": "text",
            },
        },
    ],
)
def test_malformed_posts_are_skipped(event):
    assert item_from_event(event) is None


def test_stop_ends_a_quiet_stream_promptly():
    stop = threading.Event()

    async def quiet(ws) -> None:
        await ws.wait_closed()

    async def main() -> None:
        async with serve(quiet, "127.0.0.1", 0) as ws_server:
            port = ws_server.sockets[0].getsockname()[1]
            listener = JetstreamListener(
                lambda items, cursor: None, url=f"ws://127.0.0.1:{port}/", stop=stop
            )
            asyncio.get_running_loop().call_later(0.2, stop.set)
            await asyncio.wait_for(listener.run_async(), timeout=3)

    _run(main)
    assert stop.is_set()


def test_identity_events_name_the_authors_of_later_posts():
    events = _events()
    renamed = events[10]["did"]  # event 10 says this DID is why.bsky.team
    want = _post_uris(events)
    _, batches, listener = _listen(events, drop_after=None, want=want)
    by_author = [
        (item.raw["time_us"], item.author_handle)
        for items, _ in batches
        for item in items
        if item.author_id == renamed
    ]
    assert by_author
    for time_us, handle in by_author:
        assert handle == ("why.bsky.team" if time_us > events[10]["time_us"] else renamed)
    assert listener.handles.get(renamed) == "why.bsky.team"


def test_the_predicate_sees_the_author_handle():
    events = _events()
    want = {
        i.external_id
        for i in map(item_from_event, events[11:])
        if i is not None and i.author_id == events[10]["did"]
    }
    assert want
    _, batches, _ = _listen(
        events,
        drop_after=None,
        matches=lambda item: item.author_handle == "why.bsky.team",
        want=want,
    )
    assert {item.external_id for items, _ in batches for item in items} == want


def test_a_failing_delivery_is_retried_without_losing_or_moving_the_cursor():
    events = _events()
    want = _post_uris(events)
    attempts: list[int] = []

    def store(items, cursor):
        attempts.append(cursor)
        if len(attempts) == 2:
            raise RuntimeError("database is locked")

    _, batches, listener = _listen(events, drop_after=None, want=want, store=store)
    delivered = [item.external_id for items, _ in batches for item in items]
    assert set(delivered) == want and len(delivered) == len(want)  # nothing lost, no repeat
    assert listener.connections == 1  # the connection stayed up meanwhile
    assert len(attempts) == len(batches) + 1
    assert listener.cursor == batches[-1][1]


def test_a_delivery_that_asks_for_a_replay_reconnects_from_that_cursor():
    events = _events()
    want = _post_uris(events)
    replay_from = events[4]["time_us"]
    asked: list[int] = []

    def store(items, cursor):
        if not asked and cursor > events[12]["time_us"]:
            asked.append(cursor)
            return replay_from
        return None

    server, batches, listener = _listen(events, drop_after=None, want=want, store=store)
    assert listener.connections == 2
    assert server.queries[1]["cursor"] == [str(replay_from - 2_000_000)]
    after = next(n for n, (_, cursor) in enumerate(batches) if cursor == asked[0]) + 1
    replayed = {i.external_id for items, _ in batches[after:] for i in items}
    # Everything from the replay cursor (less the overlap) on is delivered again.
    assert replayed >= _post_uris(
        [e for e in events if replay_from - 2_000_000 <= e["time_us"] <= asked[0]]
    )
    assert min(cursor for _, cursor in batches[after:]) < asked[0]


def test_the_handle_cache_is_bounded_and_keeps_the_pinned_accounts():
    handles = Handles(size=2)
    handles.pin({"did:plc:pinned": "shop.example.com"})
    for n in range(3):
        handles.learn(f"did:plc:{n}", f"user{n}.bsky.social")
    assert handles.get("did:plc:0") is None  # the least recently used went first
    assert handles.get("did:plc:2") == "user2.bsky.social"
    assert handles.get("did:plc:pinned") == "shop.example.com"
    handles.learn("did:plc:pinned", "Shop.Example.org")  # renamed itself
    assert handles.get("did:plc:pinned") == "shop.example.org"
    handles.learn("did:plc:2", "handle.invalid")
    assert handles.get("did:plc:2") is None


def test_profiles_are_looked_up_in_batches_of_25(appview):
    known = {p["did"]: p["handle"] for p in appview.profiles}
    unknown = [f"did:plc:unknown{n:02d}" for n in range(30)]
    found = profiles([*known, *unknown])
    assert found == known
    assert [len(actors) for actors in appview.asked] == [PROFILES_PER_CALL, len(known) + 30 - 25]


def test_profiles_by_handle_give_the_accounts_did(appview):
    assert profiles(["why.bsky.team"]) == {"did:plc:vpkhqolt662uhesyj6nxm7ys": "why.bsky.team"}


def test_an_appview_that_fails_is_a_connector_error(appview):
    appview.failing = True
    with pytest.raises(ConnectorError):
        profiles(["did:plc:vpkhqolt662uhesyj6nxm7ys"])
    assert len(appview.asked) == 2  # retried once
