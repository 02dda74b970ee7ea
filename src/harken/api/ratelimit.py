"""Requests per token per minute, counted in the core's ``Throttle`` table.

The same table the login throttle uses (shared by every process and machine, on SQLite
and PostgreSQL alike), read with its ``blocked_for``: a token that spends its minute's
allowance is blocked until the minute ends, and each refusal says how long in
``Retry-After``. A fixed window, not a sliding one: one row per token, one UPDATE a request.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from harken.core.models import Throttle
from harken.core.throttle import blocked_for
from harken.lib.env import env_int

WINDOW = timedelta(minutes=1)


#: Requests a token may make each minute (``HARKEN_API_RATE_PER_MINUTE``, read once).
DEFAULT_PER_MINUTE = env_int("HARKEN_API_RATE_PER_MINUTE", 600, minimum=1)


def per_minute() -> int:
    """The allowance: the setting of that name when a deployment (or a test) sets one,
    else the environment's."""
    return int(getattr(settings, "HARKEN_API_RATE_PER_MINUTE", DEFAULT_PER_MINUTE))


def token_key(token_id: int) -> str:
    return hashlib.sha256(f"api-token\0{token_id}".encode()).hexdigest()


def _window_start(now: datetime) -> datetime:
    seconds = int(now.timestamp()) // 60 * 60
    return datetime.fromtimestamp(seconds, UTC)


def spend(token_id: int, now: datetime | None = None) -> int:
    """Count one request of the token; the seconds to wait when it is over its allowance
    (0: go ahead). A blocked request is not counted, as the login throttle does."""
    key = token_key(token_id)
    waiting = blocked_for(key)
    if waiting:
        return waiting
    now = now or timezone.now()
    start = _window_start(now)
    with transaction.atomic():
        counted = Throttle.objects.filter(key=key, last_failure=start).update(
            failures=F("failures") + 1
        )
        if not counted:  # a new minute (or the token's first request)
            fresh = Throttle.objects.filter(key=key).update(
                failures=1, last_failure=start, blocked_until=None
            )
            if not fresh:
                try:
                    with transaction.atomic():
                        Throttle.objects.create(key=key, failures=1, last_failure=start)
                except IntegrityError:  # a concurrent first request made it
                    Throttle.objects.filter(key=key).update(failures=F("failures") + 1)
        used = Throttle.objects.filter(key=key).values_list("failures", flat=True).first() or 0
        if used > per_minute():
            end = start + WINDOW
            Throttle.objects.filter(key=key).update(blocked_until=end)
            return max(1, int((end - now).total_seconds() + 0.999))
    return 0
