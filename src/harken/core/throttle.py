"""Throttling of guesses: logins, the setup link and invitation links.

A small limiter on its own table (``Throttle``) rather than django-axes: it is shared by
every process and machine through the database Harken already has (SQLite or
PostgreSQL), needs no cache table or extra service, and its rule is the one we want: a
few free failures, then a delay that doubles with each further failure, capped, and
forgotten after a quiet day. Nobody is locked out for ever: the longest wait is the
cap, and a successful login clears the account's count.

Attempts made while a key is blocked are refused without being evaluated (the password
is not even checked) and are not counted, so a person retrying does not lengthen the
wait; only attempts that were evaluated and failed grow the delay.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from harken.core.models import Throttle


@dataclass(frozen=True)
class Rule:
    #: Failures allowed before any delay.
    free: int
    #: The first delay; each further failure doubles it.
    first_delay: timedelta
    #: The longest delay, so that the real person always gets in again.
    cap: timedelta
    #: A key with no failure for this long starts again from zero.
    forget_after: timedelta = timedelta(days=1)

    def delay(self, failures: int) -> timedelta | None:
        over = failures - self.free
        if over <= 0:
            return None
        # min() before the power: 2 ** a million failures must not be computed.
        return min(self.first_delay * 2 ** min(over - 1, 30), self.cap)


#: One account, from anywhere (guessing spread over many addresses).
ACCOUNT = Rule(free=5, first_delay=timedelta(seconds=2), cap=timedelta(minutes=15))
#: One address, for any account (one machine trying many accounts).
ADDRESS = Rule(free=20, first_delay=timedelta(seconds=2), cap=timedelta(hours=1))
#: One address guessing setup or invitation links (a wrong link is a 404 otherwise).
LINK = Rule(free=10, first_delay=timedelta(seconds=2), cap=timedelta(hours=1))


def client_address(request: HttpRequest) -> str:
    """The client's address as the WSGI server saw it. Behind a trusted proxy waitress
    puts the forwarded address here (HARKEN_TRUSTED_PROXY); headers are never read
    directly, since a client could forge them."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _hash(scope: str, value: str) -> str:
    return hashlib.sha256(f"{scope}\0{value}".encode("utf-8", "surrogatepass")).hexdigest()


def account_key(username: str) -> str:
    # Usernames differ only by case or compatibility forms would share one allowance.
    return _hash("login-account", unicodedata.normalize("NFKC", username).casefold().strip())


def address_key(scope: str, request: HttpRequest) -> str:
    return _hash(f"{scope}-address", client_address(request))


def blocked_for(*keys: str) -> int:
    """Seconds to wait before any of ``keys`` may be tried again (0: not blocked)."""
    now = timezone.now()
    until = Throttle.objects.filter(key__in=keys, blocked_until__gt=now).aggregate(
        until=Max("blocked_until")
    )["until"]
    if until is None:
        return 0
    return max(1, int((until - now).total_seconds() + 0.999))


def record_failure(key: str, rule: Rule) -> int:
    """Count one failed attempt under ``key``; return its failures so far."""
    now = timezone.now()
    with transaction.atomic():
        row, created = Throttle.objects.select_for_update().get_or_create(
            key=key, defaults={"last_failure": now}
        )
        if not created and now - row.last_failure > rule.forget_after:
            row.failures = 0
        row.failures += 1
        row.last_failure = now
        delay = rule.delay(row.failures)
        row.blocked_until = now + delay if delay else None
        row.save(update_fields=["failures", "last_failure", "blocked_until"])
    if created:  # a new key: sweep the ones nobody has failed under for a long time
        Throttle.objects.filter(last_failure__lt=now - timedelta(days=2)).delete()
    return row.failures


def forget(*keys: str) -> None:
    """A success: the count of these keys starts again."""
    Throttle.objects.filter(key__in=keys).delete()
