"""Queue tasks of the inbox. Thin: each calls a function tested without the queue."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from harken.inbox import assignment, notices, sla
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


@db_task()
def route_conversations(ids: list[int]) -> None:
    assignment.route(ids)


@db_periodic_task(crontab(minute="*"))
def route_unrouted() -> None:
    # Conversations whose routing task was lost (a crash between commit and enqueue).
    assignment.route_unrouted()


@db_periodic_task(crontab(minute="*/5"))
def warn_sla_at_risk() -> None:
    now = timezone.now()
    notices.at_risk(now)
    sla.record_breaches(now)
