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
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import websockets
from django.conf import settings
from websockets.asyncio.client import ClientConnection

from harken.lib import http
from harken.lib.retry import backoff_delay
from harken.networks.base import NormalizedItem
from harken.networks.bluesky.connector import post_url

log = logging.getLogger(__name__)

#: One of Bluesky's four public instances (US-East 2); any Jetstream serves the same events.
DEFAULT_URL = "wss://jetstream2.us-east.bsky.network/subscribe"
POST_COLLECTION = "app.bsky.feed.post"
#: Bluesky's public AppView (no account needed); ``BLUESKY_PUBLIC_API`` overrides it.
PUBLIC_API = "https://public.api.bsky.app"
#: The most actors one ``app.bsky.actor.getProfiles`` call takes (the lexicon's limit).
PROFILES_PER_CALL = 25
#: What the AppView shows for a handle that no longer resolves back to its DID.
INVALID_HANDLE = "handle.invalid"

#: ``on_batch(items, cursor)`` stores a batch; it may return a cursor to replay from
#: (an earlier ``time_us``), for a consumer that had to drop what it could not store.
OnBatch = Callable[[list[NormalizedItem], int], int | None]
Matches = Callable[[NormalizedItem], bool]


class Handles:
    """DID → handle for the authors Jetstream names by DID only; bounded, thread-safe.

    Learned handles live in a least-recently-used map of ``size`` entries (the firehose has
    millions of authors; the ones that post about our topics recur). Pinned ones (the
    accounts that topics name in ``from:``) are never evicted.
    """

    def __init__(self, size: int = 100_000) -> None:
        self.size = size
        self._recent: OrderedDict[str, str] = OrderedDict()
        self._pinned: dict[str, str] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._recent) + len(self._pinned)

    def get(self, did: str) -> str | None:
        with self._lock:
            if did in self._pinned:
                return self._pinned[did]
            handle = self._recent.get(did)
            if handle is not None:
                self._recent.move_to_end(did)
            return handle

    def learn(self, did: str, handle: str | None) -> None:
        """Remember ``did``'s handle; an empty or invalid one forgets what we knew."""
        handle = (handle or "").strip().lower()
        with self._lock:
            if not handle or handle == INVALID_HANDLE:
                self._recent.pop(did, None)
                self._pinned.pop(did, None)
                return
            if did in self._pinned:
                self._pinned[did] = handle  # a pinned account renamed itself
                return
            self._recent[did] = handle
            self._recent.move_to_end(did)
            while len(self._recent) > self.size:
                self._recent.popitem(last=False)

    def pin(self, known: dict[str, str]) -> None:
        """Keep exactly these DID → handle pairs whatever the cache evicts."""
        with self._lock:
            self._pinned = {did: handle.lower() for did, handle in known.items()}

    def learn_identity(self, event: dict[str, Any]) -> None:
        """An identity event: an account's handle changed (or was re-verified)."""
        identity = event.get("identity")
        did = event.get("did")
        if isinstance(identity, dict) and isinstance(did, str) and did:
            handle = identity.get("handle")
            self.learn(did, handle if isinstance(handle, str) else None)

    def named(self, item: NormalizedItem) -> NormalizedItem:
        """The item with its author's handle, where known, instead of the DID."""
        handle = self.get(item.author_id)
        if not handle or handle == item.author_handle:
            return item
        return replace(item, author_handle=handle)


def profiles(actors: Iterable[str], *, timeout: float = 5.0) -> dict[str, str]:
    """DID → verified handle of the given actors (DIDs or handles), from the public AppView.

    Batched, ``PROFILES_PER_CALL`` actors a call, through the HTTP guard with a timeout and
    retries. Unknown actors and invalid handles are left out. Raises ``ConnectorError``.
    """
    base = getattr(settings, "BLUESKY_PUBLIC_API", PUBLIC_API).rstrip("/")
    wanted = list(dict.fromkeys(actors))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), PROFILES_PER_CALL):
        response = http.get(
            f"{base}/xrpc/app.bsky.actor.getProfiles",
            params={"actors": wanted[start : start + PROFILES_PER_CALL]},
            timeout=timeout,
            attempts=2,
            max_wait=5.0,  # a longer Retry-After is raised: the caller backs off, not blocks
            max_bytes=2 * 1024 * 1024,
        )
        found.update(_profile_handles(response.json()))
    return found


def _profile_handles(body: Any) -> dict[str, str]:
    views = body.get("profiles") if isinstance(body, dict) else None
    found = {}
    for view in views if isinstance(views, list) else []:
        did = view.get("did") if isinstance(view, dict) else None
        handle = view.get("handle") if isinstance(view, dict) else None
        if isinstance(did, str) and isinstance(handle, str) and handle != INVALID_HANDLE:
            found[did] = handle.lower()
    return found


def item_from_event(event: dict[str, Any], handles: Handles | None = None) -> NormalizedItem | None:
    """The post an event creates, or None for any other event (delete, like, identity…).

    The author's handle comes from ``handles`` when it knows the DID, else it is the DID.
    """
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
        author_handle=(handles.get(did) if handles else None) or did,
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
    ``matches(item)`` sees each post with its author's handle where ``handles`` knows it.
    """

    def __init__(
        self,
        on_batch: OnBatch,
        *,
        matches: Matches | None = None,
        handles: Handles | None = None,
        cursor: int | None = None,
        url: str = DEFAULT_URL,
        batch_size: int = 500,
        batch_seconds: float = 1.0,
        overlap_seconds: float = 5.0,
        backoff_base: float = 1.0,
        max_backoff: float = 60.0,
        open_timeout: float = 15.0,
        max_pending: int = 50_000,
        stop: threading.Event | None = None,
    ) -> None:
        self.on_batch = on_batch
        self.matches: Matches = matches or (lambda item: True)
        self.handles = handles if handles is not None else Handles()
        self.cursor = cursor
        self.url = url
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.overlap_us = int(overlap_seconds * 1_000_000)
        self.backoff_base = backoff_base
        self.max_backoff = max_backoff
        self.open_timeout = open_timeout
        self.max_pending = max_pending
        self.stop_event = stop or threading.Event()
        self.connections = 0
        self._pending: list[NormalizedItem] = []
        self._last_seen: int | None = None
        self._last_flush = time.monotonic()
        self._events_this_connection = 0
        self._failed_flushes = 0
        self._next_flush = 0.0  # after a failed delivery: not before this (monotonic)
        self._replay: int | None = None  # a cursor on_batch asked to replay from

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
        """Read until stopped. A failing ``on_batch`` is retried with backoff, its items
        kept and the cursor unmoved; only when ``max_pending`` posts pile up behind it does
        the run end with its error (a restart then replays from the durable cursor)."""
        failures = 0
        while not self.stop_event.is_set():
            self._events_this_connection = 0
            try:
                await self._session()
            except (OSError, TimeoutError, websockets.exceptions.WebSocketException) as exc:
                log.warning("Jetstream connection lost: %s", exc)
            await self._flush(force=True)  # what arrived before the drop is delivered
            if self._rewind():
                continue  # a replay was asked for: reconnect at once from the older cursor
            # A connection that delivered events was healthy: start the backoff afresh.
            failures = 1 if self._events_this_connection else failures + 1
            if not self.stop_event.is_set():
                await self._sleep(backoff_delay(failures - 1, self.backoff_base, self.max_backoff))

    async def _session(self) -> None:
        """One connection, read until it drops, we are stopped or a replay is asked for."""
        # A short close_timeout: leaving a busy stream, unread events hold up the server's
        # close frame, and waiting the default ten seconds for it gains nothing.
        async with websockets.connect(
            self.subscribe_url(),
            open_timeout=self.open_timeout,
            close_timeout=1,
            max_size=2**22,
            ping_interval=20,
        ) as ws:
            self.connections += 1
            while not self.stop_event.is_set() and self._replay is None:
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
        if event.get("kind") == "identity":
            self.handles.learn_identity(event)
            return
        item = item_from_event(event, self.handles)
        if item is not None and self.matches(item):
            self._pending.append(item)

    def _due(self) -> bool:
        if time.monotonic() < self._next_flush:
            return False
        return (
            len(self._pending) >= self.batch_size
            or time.monotonic() - self._last_flush >= self.batch_seconds
        )

    async def _flush(self, force: bool = False) -> None:
        """Hand over the batch; only then is its cursor durable. An empty batch still
        moves the cursor, so a restart does not replay hours of posts that matched nothing."""
        if not force and time.monotonic() < self._next_flush:
            return
        self._last_flush = time.monotonic()
        nothing_new = (
            self.cursor is not None
            and self._last_seen is not None
            and self._last_seen <= self.cursor
        )
        if self._last_seen is None or (not self._pending and nothing_new):
            return
        items = list(self._pending)
        # After a reconnect the overlap replays events from before the cursor: deliver
        # them (the pipeline dedupes) but never move the cursor back.
        cursor = max(self._last_seen, self.cursor or 0)
        try:
            # In a thread: storing may take a while and the connection must keep answering.
            replay = await asyncio.to_thread(self.on_batch, items, cursor)
        except Exception:
            self._failed(len(items))
            return
        self._failed_flushes, self._next_flush = 0, 0.0
        self._pending = self._pending[len(items) :]  # what arrived while it was stored
        self.cursor = cursor
        if replay is not None and replay < cursor:
            self._replay = replay

    def _failed(self, count: int) -> None:
        """``on_batch`` raised: keep the items, keep the cursor, try again later."""
        self._failed_flushes += 1
        wait = backoff_delay(self._failed_flushes, self.backoff_base, self.max_backoff)
        self._next_flush = time.monotonic() + wait
        log.exception(
            "Jetstream: storing a batch of %d posts failed (attempt %d); retrying in %.1f s",
            count,
            self._failed_flushes,
            wait,
        )
        if len(self._pending) >= self.max_pending:
            raise RuntimeError(
                f"Jetstream: {len(self._pending)} posts wait to be stored and storing keeps "
                "failing; stopping, to resume from the last stored cursor when restarted."
            )

    def _rewind(self) -> bool:
        """Apply a replay ``on_batch`` asked for: the next connection starts there."""
        if self._replay is None or self.stop_event.is_set():
            return False
        log.info("Jetstream: replaying from %d at the consumer's request", self._replay)
        self.cursor, self._replay, self._last_seen = self._replay, None, None
        return True

    async def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stop_event.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(min(0.1, deadline - time.monotonic()))
