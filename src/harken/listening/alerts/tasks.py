"""Queue tasks for alerts. Thin: they call ``do_deliver_due``, which is tested without the queue."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from harken.listening.alerts.delivery import do_deliver_due


@db_periodic_task(crontab(minute="*"))
def deliver_alerts() -> None:
    """Every minute: release due digests, send and retry pending deliveries.

    No task lock: deliveries are claimed row by row, so overlapping runs are harmless, and
    a lock left by a crashed worker would silence alerts until someone cleared it.
    """
    do_deliver_due()


@db_task()
def deliver_alerts_soon() -> None:
    """Queued by ``evaluate`` after a batch stored immediate alerts."""
    do_deliver_due()
