"""Queue tasks of the inbox. Thin: each calls a function tested without the queue."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from harken.inbox.actions import do_end_snoozes, do_reconcile_interrupted
from harken.inbox.priority import reprioritize_open


@db_periodic_task(crontab(minute="*"))
def end_snoozes() -> None:
    do_end_snoozes()


@db_periodic_task(crontab(minute="*/10"))
def keep_priorities_current() -> None:
    # Waiting counts: a conversation climbs the queue as its customer waits.
    reprioritize_open()


@db_periodic_task(crontab(minute="*/5"))
def reconcile_interrupted_sends() -> None:
    do_reconcile_interrupted()
