"""The publishing tick on the queue: a thin wrapper around ``engine.run_ticks``."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task

from harken.networks.registry import CONNECTORS
from harken.publishing.calendar import tasks as calendar_tasks  # noqa: F401 (its periodic tasks)
from harken.publishing.engine import run_ticks

log = logging.getLogger(__name__)

#: Seconds between ticks. Huey's schedule is per minute: each run ticks for a minute.
#: An empty tick is one query per publisher; a variant due just after a tick waits for
#: the next one, so the tick bounds the lateness of a quiet queue.
TICK_EVERY = 1
#: 60 ticks 1 s apart start at 0, 1 … 59 s: the next run's first tick keeps the rhythm.
TICKS_PER_RUN = 60
#: Threads publishing side by side in each run (``engine.run_ticks``).
PUBLISHERS = 4


@HUEY.on_startup()
def import_connectors() -> None:
    """Import every network's connector when the consumer starts (the Bluesky SDK takes
    seconds to import), not in the first tick that publishes to it, after a variant is due."""
    from harken.networks.registry import connector_class

    for network in CONNECTORS:
        try:
            connector_class(network)
        except Exception:  # noqa: BLE001 - the tick reports a broken connector where it is used
            log.exception("Could not import the %s connector", network)


@db_periodic_task(crontab(minute="*"))
def publish_due() -> None:
    """Tick every second for a minute, with ``PUBLISHERS`` threads. Runs that overlap (a
    slow network, several workers) are harmless: every claim is atomic. No ``lock_task``: a worker
    killed while holding it would stop publishing until someone cleared the lock."""
    run_ticks(TICKS_PER_RUN, TICK_EVERY, publishers=PUBLISHERS)


@db_periodic_task(crontab(minute="*/15"))
def drafts_from_feeds() -> None:
    """Each new item of the workspaces' draft feeds becomes a draft post."""
    from harken.publishing.compose.feeds import read_all_feeds

    read_all_feeds()
