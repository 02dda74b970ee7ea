"""Retries with exponential backoff and jitter, honouring a server's Retry-After.

Used by ``harken.lib.http`` and by connectors whose SDK does its own HTTP: wrap the SDK
call in ``retry_call`` with a ``classify`` that turns the SDK's exception into a
``Retry`` decision.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Retry:
    """Whether a failure is worth another try, and the server's own wait if it gave one."""

    again: bool
    after: float | None = None


def backoff_delay(attempt: int, base: float = 0.5, cap: float = 60.0) -> float:
    """Full-jitter exponential backoff: a random wait in [0, min(cap, base * 2**attempt)]."""
    return random.uniform(0, min(cap, base * (2**attempt)))


def retry_call(
    fn: Callable[[], T],
    classify: Callable[[Exception], Retry],
    attempts: int = 4,
    base: float = 0.5,
    max_wait: float = 120.0,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``fn`` until it succeeds, ``classify`` says stop, or ``attempts`` run out.

    A Retry-After longer than ``max_wait`` is not slept through: the error is raised so
    the caller can reschedule the whole job instead of holding a worker.
    """
    for attempt in range(attempts):
        try:
            return fn()
        except Exception as exc:
            decision = classify(exc)
            last = attempt == attempts - 1
            if not decision.again or last:
                raise
            wait = decision.after if decision.after is not None else backoff_delay(attempt, base)
            if wait > max_wait:
                raise
            sleep(wait)
    raise AssertionError("unreachable")
