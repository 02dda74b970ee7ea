"""Queue tasks of the core app. Thin: each calls a function that is tested without the queue."""

from __future__ import annotations

import os
import socket

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

import harken
from harken.core.models import Heartbeat
from harken.core.notify_delivery import do_deliver_due, do_send_notification


def do_heartbeat(name: str | None = None) -> Heartbeat:
    """Record that a consumer is alive; Settings › System and /health read it."""
    name = name or f"{socket.gethostname()}:{os.getpid()}"
    beat, _ = Heartbeat.objects.update_or_create(
        name=name,
        defaults={"beat": timezone.now(), "details": {"version": harken.__version__}},
    )
    return beat


@db_periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    do_heartbeat()


@db_task()
def ping() -> str:
    """A round trip through the queue: `harken` uses it to check a consumer answers."""
    return f"pong from {socket.gethostname()}:{os.getpid()}"


@db_task()
def send_notification(pk: int) -> None:
    """The first try of a notification's deliveries, right after it was recorded."""
    do_send_notification(pk)


@db_periodic_task(crontab(minute="*"))
def deliver_due_notifications() -> None:
    """Retries with backoff, and any first try the queue lost."""
    do_deliver_due()
