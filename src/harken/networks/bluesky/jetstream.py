"""A listener on Bluesky's Jetstream: every new post on the network, as JSON over WebSocket.

Jetstream (github.com/bluesky-social/jetstream) turns the AT Protocol firehose into JSON
events. A post arrives as::

    {"did": "did:plc:…", "time_us": 1725911162329308, "kind": "commit",
     "commit": {"rev": "…", "operation": "create", "collection": "app.bsky.feed.post",
                "rkey": "3l3qo2vutsw2b", "record": {"text": "…", "createdAt": "…", …},
                "cid": "bafyrei…"}}

``JetstreamListener`` subscribes to ``app.bsky.feed.post`` only, keeps the posts the
caller's ``matches(text)`` accepts, and hands them over in batches to
``on_batch(items, cursor)``. ``cursor`` is the ``time_us`` of the last event read, and
becomes durable only when ``on_batch`` returns: the caller stores the items and then the
cursor, in that order. After a drop the listener reconnects with exponential backoff and
asks Jetstream to replay from the durable cursor minus a few seconds: Jetstream's replay
is by time, not by sequence, so a small overlap is the price of losing nothing (the
ingest pipeline dedupes on the post's URI).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import websockets
from websockets.asyncio.client import ClientConnection

from harken.lib.retry import backoff_delay
from harken.networks.base import NormalizedItem
from harken.networks.bluesky.connector import post_url

log = logging.getLogger(__name__)

#: One of Bluesky's four public instances (US-East 2); any Jetstream serves the same events.
DEFAULT_URL = "wss://jetstream2.us-east.bsky.network/subscribe"
POST_COLLECTION = "app.bsky.feed.post"

OnBatch = Callable[[list[NormalizedItem], int], None]


def item_from_event(event: dict[str, Any]) -> NormalizedItem | None:
    """The post an event creates, or None for any other event (delete, like, identity…)."""
    commit = event.get("commit") or {}
    if event.get("kind") != "commit" or commit.get("operation") != "create":
        return None
    if commit.get("collection") != POST_COLLECTION or not isinstance(commit.get("record"), dict):
        return None
    record, did = commit["record"], event.get("did")
    if not did or not commit.get("rkey"):
        return None  # malformed: nothing to address the post by
    uri = f"at://{did}/{POST_COLLECTION}/{commit['rkey']}"
    reply = record.get("reply") or {}
    parent = (reply.get("parent") or {}).get("uri", "")
    langs = record.get("langs") or []
    return NormalizedItem(
        network="bluesky",
        external_id=uri,
        kind="reply" if parent else "post",
        text=str(record.get("text", "")),
        created=_created(record.get("createdAt"), event["time_us"]),
        # Jetstream names authors by DID only; bsky.app resolves a DID in a profile URL.
        author_id=did,
        author_handle=did,
        url=post_url(did, uri),
        language=langs[0] if langs and isinstance(langs[0], str) else "",
        in_reply_to=parent,
        conversation_id=(reply.get("root") or {}).get("uri", "") or uri,
        raw=event,
    )


def _created(value: Any, time_us: int) -> datetime:
    """The record's own createdAt; Jetstream's time when that is missing or malformed."""
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except ValueError:
        return datetime.fromtimestamp(time_us / 1_000_000, UTC)


class JetstreamListener:
    """Reads Jetstream until stopped, delivering matching posts in batches.

    ``cursor`` is where a previous run stopped (the last durable ``time_us``); ``stop``
    (a ``threading.Event``) ends the run cleanly after the current batch is delivered.
    """

    def __init__(
        self,
        on_batch: OnBatch,
        *,
        matches: Callable[[str], bool] | None = None,
        cursor: int | None = None,
        url: str = DEFAULT_URL,
        batch_size: int = 500,
        batch_seconds: float = 1.0,
        overlap_seconds: float = 5.0,
        backoff_base: float = 1.0,
        max_backoff: float = 60.0,
        open_timeout: float = 15.0,
        stop: threading.Event | None = None,
    ) -> None:
        self.on_batch = on_batch
        self.matches = matches or (lambda text: True)
        self.cursor = cursor
        self.url = url
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.overlap_us = int(overlap_seconds * 1_000_000)
        self.backoff_base = backoff_base
        self.max_backoff = max_backoff
        self.open_timeout = open_timeout
        self.stop_event = stop or threading.Event()
        self.connections = 0
        self._pending: list[NormalizedItem] = []
        self._last_seen: int | None = None
        self._last_flush = time.monotonic()
        self._events_this_connection = 0

    def stop(self) -> None:
        self.stop_event.set()

    def subscribe_url(self) -> str:
        """Where to connect: posts only, replaying from the durable cursor minus the overlap."""
        params: list[tuple[str, str | int]] = [("wantedCollections", POST_COLLECTION)]
        if self.cursor is not None:
            params.append(("cursor", max(0, self.cursor - self.overlap_us)))
        return f"{self.url}?{urlencode(params)}"

    def run(self) -> None:
        """Blocking entry point for a worker process or thread."""
        asyncio.run(self.run_async())

    async def run_async(self) -> None:
        """Read until stopped. An exception from ``on_batch`` ends the run: its items were
        not stored, so the cursor stays where it was and a restart reads them again."""
        failures = 0
        while not self.stop_event.is_set():
            self._events_this_connection = 0
            try:
                await self._session()
            except (OSError, TimeoutError, websockets.exceptions.WebSocketException) as exc:
                log.warning("Jetstream connection lost: %s", exc)
            await self._flush()  # what arrived before the drop is delivered, then durable
            # A connection that delivered events was healthy: start the backoff afresh.
            failures = 1 if self._events_this_connection else failures + 1
            if not self.stop_event.is_set():
                await self._sleep(backoff_delay(failures - 1, self.backoff_base, self.max_backoff))

    async def _session(self) -> None:
        """One connection, read until it drops or we are stopped."""
        async with websockets.connect(
            self.subscribe_url(), open_timeout=self.open_timeout, max_size=2**22, ping_interval=20
        ) as ws:
            self.connections += 1
            while not self.stop_event.is_set():
                message = await self._receive(ws)
                if message is not None:
                    self._events_this_connection += 1
                    self._read(message)
                if self._due():
                    await self._flush()

    async def _receive(self, ws: ClientConnection) -> str | bytes | None:
        # A short wait, so a quiet stream still notices ``stop`` and flushes on time.
        try:
            return await asyncio.wait_for(ws.recv(), timeout=min(0.25, self.batch_seconds))
        except TimeoutError:
            return None

    def _read(self, message: str | bytes) -> None:
        try:
            event = json.loads(message)
            time_us = int(event["time_us"])
        except (ValueError, KeyError, TypeError):
            log.warning("Jetstream sent an event that is not JSON with a time_us; skipped.")
            return
        self._last_seen = time_us
        item = item_from_event(event)
        if item is not None and self.matches(item.text):
            self._pending.append(item)

    def _due(self) -> bool:
        return (
            len(self._pending) >= self.batch_size
            or time.monotonic() - self._last_flush >= self.batch_seconds
        )

    async def _flush(self) -> None:
        """Hand over the batch; only then is its cursor durable. An empty batch still
        moves the cursor, so a restart does not replay hours of posts that matched nothing."""
        self._last_flush = time.monotonic()
        nothing_new = (
            self.cursor is not None
            and self._last_seen is not None
            and self._last_seen <= self.cursor
        )
        if self._last_seen is None or (not self._pending and nothing_new):
            return
        items = self._pending
        # After a reconnect the overlap replays events from before the cursor: deliver
        # them (the pipeline dedupes) but never move the cursor back.
        cursor = max(self._last_seen, self.cursor or 0)
        # In a thread: storing may take a while and the connection must keep answering pings.
        await asyncio.to_thread(self.on_batch, items, cursor)
        self._pending = []
        self.cursor = cursor

    async def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stop_event.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(min(0.1, deadline - time.monotonic()))
