"""Queue tasks of the core app. Thin: each calls a function that is tested without the queue."""

from __future__ import annotations

import os
import socket

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

import harken
from harken.core.models import Heartbeat


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
