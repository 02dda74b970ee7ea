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

from harken.networks.bluesky.jetstream import JetstreamListener, item_from_event
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
    events: list[dict], *, drop_after: int | None, matches=None, cursor=None, want: set[str]
):
    """Run a listener against the fake until it has delivered ``want``; return what it saw."""
    server = FakeJetstream(events, drop_after)
    batches: list[tuple[list, int]] = []
    stop = threading.Event()

    def on_batch(items, batch_cursor) -> None:
        batches.append((items, batch_cursor))
        if {i.external_id for items, _ in batches for i in items} >= want:
            stop.set()

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
    matches = lambda text: "regress" in text  # noqa: E731  (the caller's compiled topics)
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
