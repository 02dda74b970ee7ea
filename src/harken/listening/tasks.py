"""Queue tasks of the listening app. Thin: each calls a function tested without the queue."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from harken.listening.polling import due_sources, poll_source


def do_enqueue_due_sources() -> list[int]:
    """Queue a poll for every due source; each poll claims its source, so a source queued
    twice (two schedulers, a slow queue) is still polled once."""
    ids = list(due_sources().values_list("pk", flat=True)[:1000])
    for source_id in ids:
        poll_source_task(source_id)
    return ids


@db_periodic_task(crontab(minute="*"))
def enqueue_due_sources() -> None:
    do_enqueue_due_sources()


@db_task()
def poll_source_task(source_id: int, force: bool = False) -> None:
    # Nothing returned: Huey would keep every result in its store, unread. The outcome
    # is on the source's health fields.
    poll_source(source_id, force=force)


# The alert delivery tasks live with the alerts; importing them here registers them with
# the queue, which discovers only <app>.tasks modules.
from harken.listening.alerts import tasks as alert_tasks  # noqa: E402, F401
