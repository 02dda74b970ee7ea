"""`harken jetstream`: match Bluesky's whole public firehose against the workspaces' topics."""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

from django.core.management.base import BaseCommand

from harken.listening import jetstream

#: How often an idle listener (`--wait`) looks for a new live-stream source.
CHECK_SECONDS = 60.0


#: After a stop is asked for, how long the listener may take to store what it has read
#: before it is interrupted (a connection attempt does not look at the stop for 15 s). What
#: it had not stored is read again on the next start, from the stored cursor.
GRACE_SECONDS = 1.0


def stop_on_signals(stop: threading.Event, grace: float = GRACE_SECONDS) -> None:
    """SIGINT (Ctrl-C, or `harken serve` stopping) and SIGTERM set ``stop``; a second one, or
    ``grace`` seconds without having stopped, interrupts at once (KeyboardInterrupt).
    Installed whatever the inherited disposition: a listener started with SIGINT ignored
    once ran on until it was killed."""
    count = 0

    def handle(signum: int, frame: Any) -> None:
        nonlocal count
        count += 1
        if count > 1:
            raise KeyboardInterrupt
        # From threads: the main thread may hold the event's lock right now.
        threading.Thread(target=stop.set, name="stop", daemon=True).start()
        threading.Thread(target=interrupt_later, args=(signum,), daemon=True).start()

    def interrupt_later(signum: int) -> None:
        time.sleep(grace)
        os.kill(os.getpid(), signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, handle)


def wait_for_sources(stop: threading.Event) -> list[Any]:
    """The enabled live-stream sources, looked for every ``CHECK_SECONDS`` until there is
    one or ``stop`` is set (checked every quarter second, without blocking on its lock)."""
    while not (sources := jetstream.stream_sources()):
        deadline = time.monotonic() + CHECK_SECONDS
        while time.monotonic() < deadline:
            if stop.is_set():
                return []
            time.sleep(0.25)
    return sources


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
        stop = threading.Event()
        stop_on_signals(stop)
        sources = wait_for_sources(stop) if wait else jetstream.stream_sources()
        if stop.is_set():
            return
        if not sources:
            self.stdout.write("No enabled Bluesky live-stream source: nothing to listen to.")
            return
        self.stdout.write(f"Listening to Jetstream for {len(sources)} source(s). Ctrl-C stops.")
        jetstream.run(stop=stop, url=url)
