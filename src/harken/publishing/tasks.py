"""The publishing tick on the queue: a thin wrapper around ``engine.do_publish_due``."""

from __future__ import annotations

import time

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from harken.publishing.engine import do_publish_due

#: Seconds between ticks. Huey's schedule is per minute: each run ticks for a minute.
TICK_EVERY = 5
TICKS_PER_RUN = 12


@db_periodic_task(crontab(minute="*"))
@lock_task("publishing-tick")
def publish_due() -> None:
    """Tick every few seconds for a minute; the lock keeps one loop per queue, and the
    claims keep any number of workers from publishing a variant twice."""
    for tick in range(TICKS_PER_RUN):
        started = time.monotonic()
        do_publish_due()
        if tick < TICKS_PER_RUN - 1:
            time.sleep(max(0.0, TICK_EVERY - (time.monotonic() - started)))
