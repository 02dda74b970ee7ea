"""`harken worker`: a queue consumer. With REDIS_URL, run as many as you like, anywhere."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from harken.core.tasks import do_heartbeat


class Command(BaseCommand):
    help = "Run a queue consumer."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workers", type=int, default=settings.HUEY_WORKERS)

    def handle(self, *args: Any, workers: int, **options: Any) -> None:
        do_heartbeat()
        call_command("run_huey", workers=workers, worker_type="thread")
