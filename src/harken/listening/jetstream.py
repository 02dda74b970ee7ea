"""Route Bluesky's public firehose (Jetstream) to every workspace that listens to it.

One connection serves all workspaces: each post is matched against every workspace's
topics, and what matches is stored through the ingest pipeline on that workspace's
stream source, whose cursor advances in the same transaction. Topics and sources are
re-read every minute, so a new topic takes effect without a restart.

Authors: Jetstream names them by DID only. The accounts that topics name (``from:x`` and
``@x``) are looked up once an hour and pinned, so a post by one of them matches as it is
read; other authors are named from the stream's identity events and, for the few posts
that pass the topics, looked up in batches on Bluesky's public AppView before they are
matched again and stored (``harken.networks.bluesky.jetstream.profiles``).

Failures stay with their workspace: when storing a workspace's posts fails (a database
that is locked, a bug in its topics), its posts wait in a backlog and are retried with
backoff while the other workspaces go on; its cursor stays at its last stored batch.
A backlog that grows past ``MAX_BACKLOG`` is dropped and, once storing works again, the
stream is replayed from that workspace's cursor: nothing is lost.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction

from harken.listening.matcher import TopicMatcher, compile_topics
from harken.listening.models import Source, Topic
from harken.listening.pipeline import ingest
from harken.listening.query import From, Handle, walk
from harken.networks.base import ConnectorError, NormalizedItem
from harken.networks.bluesky.identity import HANDLE
from harken.networks.bluesky.jetstream import Handles, profiles

log = logging.getLogger(__name__)

#: Seconds between re-reads of the stream sources and their workspaces' topics.
REFRESH_SECONDS = 60.0
#: Seconds a looked-up ``from:`` account is trusted before it is looked up again.
NAMED_ACCOUNTS_TTL = 3600.0
#: Unknown authors looked up per batch at most (the AppView's rate limit); the rest of a
#: batch keeps the DID as its handle.
LOOKUPS_PER_BATCH = 100
#: Posts a failing workspace holds for its retries before it drops them for a replay.
MAX_BACKLOG = 10_000
#: Backoff between retries of a failing workspace, and between failed AppView lookups.
RETRY_BASE_SECONDS = 2.0
RETRY_MAX_SECONDS = 300.0


@dataclass
class Route:
    """One workspace's stream source, its compiled topics, and how storing for it goes."""

    source: Source
    matcher: TopicMatcher
    durable: int = 0  # the cursor stored with its last batch
    backlog: list[NormalizedItem] = field(default_factory=list)
    failures: int = 0  # consecutive failed attempts to store
    retry_at: float = 0.0  # monotonic time of the next attempt
    stalled: bool = False  # dropped its backlog: wants a replay from ``durable``


def stream_sources() -> list[Source]:
    return list(
        Source.objects.filter(kind=Source.Kind.STREAM, network="bluesky", enabled=True)
        .select_related("workspace")
        .order_by("pk")
    )


def start_cursor(sources: Sequence[Source]) -> int | None:
    """Resume from the oldest durable cursor, so no workspace misses a post."""
    cursors = [int(s.cursor) for s in sources if s.cursor.isdigit()]
    return min(cursors) if cursors else None


def retry_delay(failures: int) -> float:
    """Exponential backoff with jitter: about 2, 4, 8 … seconds, at most five minutes."""
    ceiling = min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** max(0, failures - 1))
    return ceiling * random.uniform(0.5, 1.0)


def named_accounts(matchers: Iterable[TopicMatcher]) -> set[str]:
    """The Bluesky handles the topics name as an author (``from:x``, or ``@x``)."""
    return {
        part.handle
        for matcher in matchers
        for node in matcher.queries.values()
        for part in walk(node)
        if isinstance(part, From | Handle) and HANDLE.match(part.handle)
    }


class JetstreamRouter:
    """The ``matches`` predicate and ``on_batch`` callback of a JetstreamListener."""

    def __init__(self, handles: Handles | None = None) -> None:
        self.handles = handles if handles is not None else Handles()
        self.routes: list[Route] = []
        self.refreshed = 0.0
        self._looked_up: dict[str, float] = {}  # named handle → when it was looked up
        self._pinned: dict[str, str] = {}  # DID → handle of the accounts topics name
        self._lookup_failures = 0
        self._lookup_after = 0.0  # no AppView lookups before this (monotonic), after errors
        self._lock = threading.Lock()
        # At start a database error propagates: without the cursors we'd resume too late.
        self.routes = self._read_routes()
        self.refreshed = time.monotonic()
        self._pin_named_accounts(route.matcher for route in self.routes)

    # --- Topics and sources --------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the sources and topics; on a database error keep the routes we have."""
        self.refreshed = time.monotonic()
        try:
            routes = self._read_routes()
        except DatabaseError as error:
            log.warning("Jetstream: could not re-read sources and topics (%s); later.", error)
            return
        self.routes = routes
        self._pin_named_accounts(route.matcher for route in routes)

    def _read_routes(self) -> list[Route]:
        # One transaction: a consistent view of sources and topics, and on PostgreSQL an
        # error here rolls back only this read, not the connection's next statements.
        with transaction.atomic():
            return self._routes_now()

    def _routes_now(self) -> list[Route]:
        before = {route.source.pk: route for route in self.routes}
        routes = []
        for source in stream_sources():
            topics = Topic.objects.filter(workspace=source.workspace, enabled=True)
            route = Route(source, compile_topics(list(topics)))
            route.durable = int(source.cursor) if source.cursor.isdigit() else 0
            old = before.get(source.pk)
            if old is not None:  # keep what is in flight: the backlog and its retries
                route.durable = max(route.durable, old.durable)
                route.backlog, route.failures = old.backlog, old.failures
                route.retry_at, route.stalled = old.retry_at, old.stalled
            routes.append(route)
        return routes

    def _pin_named_accounts(self, matchers: Iterable[TopicMatcher]) -> None:
        named = named_accounts(matchers)
        now = time.monotonic()
        stale = sorted(h for h in named if now - self._looked_up.get(h, -1e12) > NAMED_ACCOUNTS_TTL)
        if stale:
            found = self._look_up(stale)
            if found is None:
                return
            for handle in stale:
                self._looked_up[handle] = now
            # Whoever holds a handle now replaces whoever held it at the last look-up.
            stale_set = set(stale)
            kept = {d: h for d, h in self._pinned.items() if h not in stale_set}
            self._pinned = {**kept, **found}
            self.handles.pin(self._pinned)
        kept = {did: h for did, h in self._pinned.items() if h in named}
        if kept != self._pinned:  # a topic no longer names some: let them be evicted
            self._pinned = kept
            self.handles.pin(kept)

    def _look_up(self, actors: Sequence[str]) -> dict[str, str] | None:
        """DID → handle from the AppView; None (and a backoff) when it cannot answer."""
        if time.monotonic() < self._lookup_after:
            return None
        try:
            found = profiles(actors)
        except ConnectorError as error:
            self._lookup_failures += 1
            wait = max(retry_delay(self._lookup_failures), error.retry_after or 0.0)
            self._lookup_after = time.monotonic() + wait
            log.warning(
                "Jetstream: could not look up %d Bluesky authors (%s); again in %.0f s",
                len(actors),
                error.message,
                wait,
            )
            return None
        self._lookup_failures = 0
        return found

    # --- The listener's callbacks --------------------------------------------------------

    def matches(self, item: NormalizedItem) -> bool:
        """Whether any workspace's topics match the post (network, language and author
        included): the pre-filter that runs on every post of the firehose."""
        return any(self._topics(route, item) for route in self.routes)

    @staticmethod
    def _topics(route: Route, item: NormalizedItem) -> set[int]:
        def match(language: str) -> set[int]:
            return route.matcher.match(
                item.text, language=language, network=item.network, author_handle=item.author_handle
            )

        found = match(item.language)
        if found or item.language:
            return found
        # A post that declares no language may still be in one a topic asks for: the
        # analysis app detects it when the batch is stored, and the topics are matched
        # again then. Here, let it through if any language the topics name would match.
        for language in route.matcher.languages:
            found |= match(language)
        return found

    def on_batch(self, items: list[NormalizedItem], cursor: int) -> int | None:
        """Store the batch for each workspace; return a cursor to replay from, if one of
        them dropped posts it could not store and can store again."""
        with self._lock:  # one batch at a time, whoever calls
            if time.monotonic() - self.refreshed > REFRESH_SECONDS:
                self.refresh()
            items = self.name_authors(items)
            for route in self.routes:
                self._deliver(route, items, cursor)
            return self._replay_cursor(cursor)

    def name_authors(self, items: list[NormalizedItem]) -> list[NormalizedItem]:
        """The items with their authors' handles, looked up for the authors not yet known."""
        items = [self.handles.named(item) for item in items]
        unknown = list(dict.fromkeys(i.author_id for i in items if i.author_handle == i.author_id))
        if unknown:
            found = self._look_up(unknown[:LOOKUPS_PER_BATCH])
            for did, handle in (found or {}).items():
                self.handles.learn(did, handle)
            if found:
                items = [self.handles.named(item) for item in items]
        return items

    def _deliver(self, route: Route, items: list[NormalizedItem], cursor: int) -> None:
        """Store the workspace's hits with its cursor; on failure keep them for a retry."""
        now = time.monotonic()
        if route.stalled:
            # Its posts since ``durable`` were dropped and come back with the replay; until
            # then only probe, by storing the cursor it has, whether storing works again.
            if now >= route.retry_at:
                self._store(route, [], route.durable)
            return
        hits = [item for item in items if self._topics(route, item)]
        route.backlog.extend(hits)
        if now < route.retry_at:
            self._cap_backlog(route)
            return
        # Never move a cursor back: a replay for another workspace re-reads older posts.
        self._store(route, route.backlog, max(cursor, route.durable))

    def _store(self, route: Route, items: list[NormalizedItem], cursor: int) -> None:
        try:
            result = ingest(route.source, items, cursor=str(cursor))
        except Exception as error:  # noqa: BLE001 - any failure stays with this workspace
            self._failed(route, error)
            return
        if route.failures:
            log.info("Jetstream: storing for %s works again", route.source)
        route.backlog, route.failures, route.retry_at = [], 0, 0.0
        route.durable = cursor
        if result.stored:
            log.info("Jetstream: %d new mentions for %s", result.stored, route.source)

    def _failed(self, route: Route, error: Exception) -> None:
        route.failures += 1
        wait = retry_delay(route.failures)
        route.retry_at = time.monotonic() + wait
        log.warning(
            "Jetstream: storing %d posts for %s (workspace %s) failed, attempt %d: %s; "
            "retrying in %.0f s, the other workspaces go on",
            len(route.backlog),
            route.source,
            route.source.workspace_id,
            route.failures,
            error,
            wait,
            exc_info=not isinstance(error, DatabaseError),  # a bug deserves its traceback
        )
        self._cap_backlog(route)

    def _cap_backlog(self, route: Route) -> None:
        if len(route.backlog) <= MAX_BACKLOG:
            return
        log.error(
            "Jetstream: %s holds more than %d posts it could not store; dropping them, "
            "to replay the stream from its cursor (%d) once storing works again",
            route.source,
            MAX_BACKLOG,
            route.durable,
        )
        route.backlog, route.stalled = [], True

    def _replay_cursor(self, cursor: int) -> int | None:
        """The oldest cursor of the stalled workspaces that just stored a batch again."""
        ready = [r for r in self.routes if r.stalled and not r.failures]
        for route in ready:
            route.stalled = False
        replay = min((r.durable for r in ready), default=None)
        return replay if replay is not None and replay < cursor else None


def run(stop: threading.Event | None = None, url: str | None = None) -> None:
    """Listen until ``stop`` is set. Blocks; run it in its own process (`harken jetstream`)."""
    from harken.networks.bluesky.jetstream import DEFAULT_URL, JetstreamListener

    router = JetstreamRouter()
    listener = JetstreamListener(
        router.on_batch,
        matches=router.matches,
        handles=router.handles,
        cursor=start_cursor([route.source for route in router.routes]),
        url=url or DEFAULT_URL,
        stop=stop,
    )
    listener.run()
