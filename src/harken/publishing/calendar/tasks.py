"""The calendar's periodic work on the queue: thin wrappers around tested functions."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from harken.publishing.calendar.reminders import send_reminders
from harken.publishing.calendar.series import materialise_all


@db_periodic_task(crontab(minute="7"))
def materialise_series() -> None:
    """Keep every series' next 60 days of occurrences as posts (idempotent)."""
    materialise_all()


@db_periodic_task(crontab(minute="*/15"))
def remind_events() -> None:
    """Remind planners of their events N days before (each event once)."""
    send_reminders()
