"""The publishing tick on the queue: a thin wrapper around ``engine.run_ticks``."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from harken.publishing.engine import run_ticks

#: Seconds between ticks. Huey's schedule is per minute: each run ticks for a minute.
TICK_EVERY = 5
TICKS_PER_RUN = 12


@db_periodic_task(crontab(minute="*"))
@lock_task("publishing-tick")
def publish_due() -> None:
    """Tick every few seconds for a minute. The lock keeps one loop per queue; the
    atomic claims keep any number of workers from publishing a variant twice."""
    run_ticks(TICKS_PER_RUN, TICK_EVERY)
