"""Queue tasks of the webhooks: thin, each calls a function tested without the queue."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from harken.api.webhooks.delivery import do_deliver_due, do_prune, do_send


@db_task()
def send_deliveries(ids: list[int]) -> None:
    """The first try of new deliveries, right after their change committed."""
    do_send(ids)


@db_periodic_task(crontab(minute="*"))
def deliver_due_webhooks() -> None:
    """Retries with backoff, deliveries whose worker stopped, and first tries lost."""
    do_deliver_due()


@db_periodic_task(crontab(minute="17", hour="3"))
def prune_webhook_log() -> None:
    """Settled deliveries older than 30 days leave the log, once a night."""
    do_prune()
