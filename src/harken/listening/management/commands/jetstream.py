"""`harken jetstream`: match Bluesky's whole public firehose against the workspaces' topics."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from harken.listening import jetstream


class Command(BaseCommand):
    help = "Listen to Bluesky's Jetstream for every enabled Bluesky live-stream source."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", help="A Jetstream endpoint (default: Bluesky's public one).")
        parser.add_argument(
            "--wait",
            action="store_true",
            help="Without a live-stream source, wait for one instead of exiting.",
        )

    def handle(self, *args: Any, url: str | None, wait: bool, **options: Any) -> None:
        sources = jetstream.stream_sources()
        while not sources and wait:
            time.sleep(60)
            sources = jetstream.stream_sources()
        if not sources:
            self.stdout.write("No enabled Bluesky live-stream source: nothing to listen to.")
            return
        self.stdout.write(f"Listening to Jetstream for {len(sources)} source(s). Ctrl-C stops.")
        jetstream.run(url=url)
