"""X's pay-per-use bill, counted as Harken reads, and the cap that stops reading.

X charges for every resource a read returns (docs.x.com/x-api/getting-started/pricing,
read 2026-11: "Posts: Read $0.005 per resource", "User: Read $0.010 per resource"; only
successful responses that return data are billed). Harken counts both as it goes and,
before each request, reserves the most that request can cost: ``max_results`` posts, each
possibly bringing one author we have not seen. Reservation and settlement are atomic
``F()`` updates, so two workers reading at once still never pass the cap together.

X de-duplicates the same post read twice in one UTC day; Harken does not try to, so its
figure can only be at or above X's bill, never below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import F, Value
from django.db.models.functions import Greatest, Now
from django.utils import timezone

from harken.lib.env import env_str
from harken.networks.base import ConnectorError
from harken.networks.models import NetworkBudget, XUsage

NETWORK = "x"
#: X's published pay-per-use prices (see the module docstring); override when X changes them.
DEFAULT_PRICE_PER_READ = "0.005"
DEFAULT_PRICE_PER_USER_READ = "0.010"
DEFAULT_PRICE_PER_CREATE = "0.015"
#: The cap of a workspace that has not set one: small, so nobody gets a surprise bill.
DEFAULT_MONTHLY_CAP = "10.00"
#: Longer than any request with its retries may take (see ``_drop_stale_reservations``).
STALE_RESERVATION = timedelta(minutes=10)


def _env_decimal(name: str, default: str) -> Decimal:
    raw = env_str(name, default).strip() or default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a number of US dollars (e.g. {default})."
        ) from None
    if value < 0:
        raise ImproperlyConfigured(f"{name}={raw} must not be negative.")
    return value


def price_per_read() -> Decimal:
    """Dollars per post read (``HARKEN_X_PRICE_PER_READ``)."""
    return _env_decimal("HARKEN_X_PRICE_PER_READ", DEFAULT_PRICE_PER_READ)


def price_per_user_read() -> Decimal:
    """Dollars per user object a read returns (``HARKEN_X_PRICE_PER_USER_READ``)."""
    return _env_decimal("HARKEN_X_PRICE_PER_USER_READ", DEFAULT_PRICE_PER_USER_READ)


def price_per_create() -> Decimal:
    """Dollars per post or reply created (``HARKEN_X_PRICE_PER_CREATE``)."""
    return _env_decimal("HARKEN_X_PRICE_PER_CREATE", DEFAULT_PRICE_PER_CREATE)


def month_key(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y-%m")


def _first_of_next(day: date) -> date:
    """When X's monthly cap resets: the first of next month, UTC."""
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def monthly_cap(workspace_id: int) -> Decimal:
    budget = NetworkBudget.objects.filter(workspace_id=workspace_id, network=NETWORK).first()
    if budget is not None:
        return budget.monthly_cap
    return _env_decimal("HARKEN_X_MONTHLY_CAP", DEFAULT_MONTHLY_CAP)


def set_monthly_cap(workspace_id: int, cap: Decimal) -> NetworkBudget:
    budget, _ = NetworkBudget.objects.update_or_create(
        workspace_id=workspace_id, network=NETWORK, defaults={"monthly_cap": cap}
    )
    return budget


@dataclass(frozen=True)
class Usage:
    """This month's X reads for the source's page."""

    month: str
    posts_read: int
    users_read: int
    cost: Decimal
    cap: Decimal
    resets_on: date

    @property
    def remaining(self) -> Decimal:
        return max(Decimal("0"), self.cap - self.cost)

    @property
    def percent_used(self) -> int:
        return 100 if self.cap <= 0 else min(100, int(self.cost * 100 / self.cap))


def usage_for(workspace: Any) -> Usage:
    """This month's X reads, cost and cap for a workspace (or a workspace id)."""
    workspace_id = getattr(workspace, "pk", workspace)
    row = XUsage.objects.filter(workspace_id=workspace_id, month=month_key()).first()
    return Usage(
        month=month_key(),
        posts_read=row.posts_read if row else 0,
        users_read=row.users_read if row else 0,
        cost=row.cost if row else Decimal("0"),
        cap=monthly_cap(workspace_id),
        resets_on=_first_of_next(datetime.now(UTC).date()),
    )


@dataclass(frozen=True)
class Reservation:
    """Money set aside for one request; ``max_results`` is how many posts it may ask for."""

    usage_id: int
    amount: Decimal
    max_results: int


def cap_reached_error(cap: Decimal, cost: Decimal) -> ConnectorError:
    resets = _first_of_next(datetime.now(UTC).date())
    return ConnectorError(
        f"X monthly spend cap of ${cap:.2f} reached: reading stops until {resets:%-d %B %Y} "
        f"(spent ${cost:.2f} this month). "
        "Raise the cap under Listening › Sources to read more now.",
        permanent=False,
    )


def reserve(workspace_id: int, min_results: int, max_results: int) -> Reservation:
    """Set aside the cost of the largest request the remaining budget allows.

    Raises the cap-reached ``ConnectorError`` when not even ``min_results`` posts (the
    endpoint's smallest page) fit: no request is made, so the cap is never passed.
    """
    per_post = price_per_read() + price_per_user_read()
    cap = monthly_cap(workspace_id)
    usage, _ = XUsage.objects.get_or_create(workspace_id=workspace_id, month=month_key())
    _drop_stale_reservations(usage.pk)
    for _attempt in range(5):
        usage.refresh_from_db(fields=["cost", "reserved"])
        available = cap - usage.cost - usage.reserved
        allowed = max_results if per_post == 0 else min(max_results, int(available // per_post))
        if allowed < min_results:
            raise cap_reached_error(cap, usage.cost)
        amount = per_post * allowed
        # The filter re-checks the budget inside the UPDATE: a worker that reserved in
        # between makes this one match no row, and it tries again with what is left.
        claimed = XUsage.objects.filter(
            pk=usage.pk, cost__lte=Value(cap - amount) - F("reserved")
        ).update(reserved=F("reserved") + amount, reserved_at=Now())
        if claimed:
            return Reservation(usage.pk, amount, allowed)
    raise ConnectorError("X budget is busy: another worker is reading; trying again later.")


def _drop_stale_reservations(usage_id: int) -> None:
    """Forget money held by a worker that died mid-request (killed, machine lost).

    No request holds a reservation longer than its timeouts and retries (well under
    ``STALE_RESERVATION``), so when nobody has reserved for that long, whatever is still
    held belongs to nobody.
    """
    stale = timezone.now() - STALE_RESERVATION
    XUsage.objects.filter(pk=usage_id, reserved__gt=0, reserved_at__lt=stale).update(reserved=0)


def _unreserve(amount: Decimal) -> Greatest:
    # Never below zero: the reservation may have been dropped as stale meanwhile.
    return Greatest(F("reserved") - amount, Value(Decimal("0")))


def settle(reservation: Reservation, posts: int, users: int) -> Decimal:
    """Record what a request returned and release its reservation; returns its cost."""
    cost = price_per_read() * posts + price_per_user_read() * users
    XUsage.objects.filter(pk=reservation.usage_id).update(
        reserved=_unreserve(reservation.amount),
        cost=F("cost") + cost,
        posts_read=F("posts_read") + posts,
        users_read=F("users_read") + users,
    )
    return cost


def record_create(workspace_id: int) -> None:
    """Count a post or reply sent. Writes go on the bill but are not stopped by the cap:
    the cap is about listening, and a scheduled answer silently withheld is worse."""
    usage, _ = XUsage.objects.get_or_create(workspace_id=workspace_id, month=month_key())
    XUsage.objects.filter(pk=usage.pk).update(
        cost=F("cost") + price_per_create(), posts_created=F("posts_created") + 1
    )


def release(reservation: Reservation) -> None:
    """A failed request: X bills only successful responses, so nothing was spent."""
    XUsage.objects.filter(pk=reservation.usage_id).update(reserved=_unreserve(reservation.amount))
