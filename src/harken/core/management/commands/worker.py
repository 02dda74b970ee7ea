"""`harken worker`: a queue consumer. With REDIS_URL, run as many as you like, anywhere.

It runs Huey's consumer as `run_huey` does, with two differences: its storage goes through
a ``QueueWatch`` (a queue that cannot be reached is one line, then quiet retries with
backoff, not a traceback per try), and its chatter (each task run) is logged at DEBUG only
(see LOGGING in the settings; HARKEN_LOG_LEVEL=DEBUG shows it).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import autodiscover_modules

from harken.core.queuewatch import QueueWatch, WatchedStorage, queue_address
from harken.core.tasks import do_heartbeat


class Command(BaseCommand):
    help = "Run a queue consumer."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workers", type=int, default=settings.HUEY_WORKERS)

    def handle(self, *args: Any, workers: int, **options: Any) -> None:
        from huey.consumer_options import ConsumerConfig
        from huey.contrib.djhuey import HUEY

        do_heartbeat()
        autodiscover_modules("tasks")
        consumer_options: Any = settings.HUEY.get("consumer", {})
        config = ConsumerConfig(**{**consumer_options, "workers": workers, "worker_type": "thread"})
        config.validate()
        consumer = HUEY.create_consumer(**config.values)
        watch = QueueWatch(queue_address(settings.REDIS_URL), stop=consumer.stop_flag)
        HUEY.storage = WatchedStorage(HUEY.storage, watch)
        for handler in logging.getLogger("huey").handlers:
            handler.addFilter(watch.quiet)
        consumer.run()
