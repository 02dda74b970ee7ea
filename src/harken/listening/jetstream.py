"""Route Bluesky's public firehose (Jetstream) to every workspace that listens to it.

One connection serves all workspaces: each post is matched against every workspace's
topics, and what matches is stored through the ingest pipeline on that workspace's
stream source, whose cursor advances in the same transaction. Topics and sources are
re-read every minute, so a new topic takes effect without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from harken.listening.matcher import TopicMatcher, compile_topics
from harken.listening.models import Source, Topic
from harken.listening.pipeline import ingest
from harken.networks.base import NormalizedItem

log = logging.getLogger(__name__)

#: Seconds between re-reads of the stream sources and their workspaces' topics.
REFRESH_SECONDS = 60.0


@dataclass
class Route:
    source: Source
    matcher: TopicMatcher


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


class JetstreamRouter:
    """The ``matches`` predicate and ``on_batch`` callback of a JetstreamListener."""

    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.refreshed = 0.0
        self.refresh()

    def refresh(self) -> None:
        routes = []
        for source in stream_sources():
            topics = Topic.objects.filter(workspace=source.workspace, enabled=True)
            routes.append(Route(source, compile_topics(list(topics))))
        self.routes = routes
        self.refreshed = time.monotonic()

    def matches(self, text: str) -> bool:
        return any(route.matcher.match(text) for route in self.routes)

    def on_batch(self, items: list[NormalizedItem], cursor: int) -> None:
        if time.monotonic() - self.refreshed > REFRESH_SECONDS:
            self.refresh()
        for route in self.routes:
            hits = [
                item
                for item, ids in zip(items, route.matcher.match_many(items), strict=True)
                if ids
            ]
            result = ingest(route.source, hits, cursor=str(cursor))
            if result.stored:
                log.info("Jetstream: %d new mentions for %s", result.stored, route.source)


def run(stop: threading.Event | None = None, url: str | None = None) -> None:
    """Listen until ``stop`` is set. Blocks; run it in its own process (`harken jetstream`)."""
    from harken.networks.bluesky.jetstream import DEFAULT_URL, JetstreamListener

    router = JetstreamRouter()
    listener = JetstreamListener(
        router.on_batch,
        matches=router.matches,
        cursor=start_cursor([route.source for route in router.routes]),
        url=url or DEFAULT_URL,
        stop=stop,
    )
    listener.run()
