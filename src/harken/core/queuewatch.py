"""A queue consumer that loses its queue (Redis down, unreachable) says so once and waits.

Left alone, Huey's consumer logs a full traceback for every failed read: each worker
thread and the scheduler, several times a second, 300 KB in 30 seconds. ``QueueWatch`` sits
between the consumer and its storage. The first call that cannot reach the queue logs one
line; later failures log nothing and each waits before it returns its error, twice as long
each time (1 s, 2 s, 4 s … at most 30 s), so nobody hammers a server that is down; the first
call that succeeds again logs that the queue is back. The wait ends at once when the
consumer is stopping, so Ctrl-C is never held up by it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger("harken.queue")


def _unreachable_errors() -> tuple[type[BaseException], ...]:
    errors: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError)
    try:
        import redis.exceptions
    except ImportError:  # no Redis client: only the SQLite queue, always reachable
        return errors
    return (*errors, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


UNREACHABLE = _unreachable_errors()


def queue_address(url: str) -> str:
    """Where the queue is, for people: the Redis URL without its password."""
    if not url:
        return "the SQLite queue"
    parts = urlsplit(url)
    where = parts.hostname or parts.path
    if parts.port:
        where = f"{where}:{parts.port}"
    return f"Redis at {parts.scheme}://{where}{parts.path if parts.hostname else ''}"


class QueueWatch:
    """Counts the failures to reach the queue; says when it is lost and when it is back."""

    def __init__(
        self,
        where: str,
        stop: threading.Event,
        *,
        base_delay: float = 1.0,
        max_delay: float = 30.0,
    ) -> None:
        self.where = where
        self.stop = stop
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.failures = 0
        self.down_since: float | None = None
        self._lock = threading.Lock()

    def call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            result = method(*args, **kwargs)
        except UNREACHABLE as error:
            error.harken_queue_unreachable = True  # type: ignore[attr-defined]
            self.stop.wait(self._failed(error))
            raise
        self._reached()
        return result

    def delay(self, failures: int) -> float:
        return min(self.max_delay, self.base_delay * 2 ** max(0, failures - 1))

    def _failed(self, error: BaseException) -> float:
        with self._lock:
            self.failures += 1
            first = self.down_since is None
            if first:
                self.down_since = time.monotonic()
            delay = self.delay(self.failures)
        if first:
            log.warning(
                "The queue (%s) cannot be reached: %s. Tasks wait until it answers; "
                "retrying every %g s at most, without a message for each try.",
                self.where,
                _one_line(error),
                self.max_delay,
            )
        return delay

    def _reached(self) -> None:
        if self.down_since is None:  # the usual case: no lock taken
            return
        with self._lock:
            since, self.down_since, self.failures = self.down_since, None, 0
        if since is not None:
            log.warning(
                "The queue (%s) answers again, after %.0f s.", self.where, time.monotonic() - since
            )

    def quiet(self, record: logging.LogRecord) -> bool:
        """A logging filter: drop the consumer's tracebacks for a queue that could not be
        reached (the watch has said so once). Other errors, a task's own connection
        refused included, are logged as ever."""
        error = record.exc_info[1] if record.exc_info else None
        return not getattr(error, "harken_queue_unreachable", False)


class WatchedStorage:
    """A Huey storage whose every method goes through a ``QueueWatch``."""

    def __init__(self, storage: Any, watch: QueueWatch) -> None:
        self._storage = storage
        self._watch = watch

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._storage, name)
        if not callable(value):
            return value

        def watched(*args: Any, **kwargs: Any) -> Any:
            return self._watch.call(value, *args, **kwargs)

        return watched


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()).rstrip(".") or type(error).__name__
    return f"{type(error).__name__}: {text}" if text != type(error).__name__ else text
