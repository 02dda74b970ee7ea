"""The publishing tick on the queue: a thin wrapper around ``engine.run_ticks``."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from harken.publishing.calendar import tasks as calendar_tasks  # noqa: F401 (its periodic tasks)
from harken.publishing.engine import run_ticks

#: Seconds between ticks. Huey's schedule is per minute: each run ticks for a minute.
TICK_EVERY = 5
#: 12 ticks 5 s apart start at 0, 5 … 55 s: the next run's first tick keeps the rhythm.
TICKS_PER_RUN = 12


@db_periodic_task(crontab(minute="*"))
def publish_due() -> None:
    """Tick every few seconds for most of a minute. Runs that overlap (a slow network,
    several workers) are harmless: every claim is atomic. No ``lock_task``: a worker
    killed while holding it would stop publishing until someone cleared the lock."""
    run_ticks(TICKS_PER_RUN, TICK_EVERY)


@db_periodic_task(crontab(minute="*/15"))
def drafts_from_feeds() -> None:
    """Each new item of the workspaces' draft feeds becomes a draft post."""
    from harken.publishing.compose.feeds import read_all_feeds

    read_all_feeds()
