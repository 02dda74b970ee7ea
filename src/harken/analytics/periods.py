"""The period a page shows, the one it compares with, and its filters, read from the URL.

Days are the workspace's own (its time zone); the period ends today unless the person
chose dates. Bad input never fails a page: it falls back to the default and says why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django.http import QueryDict
from django.utils import timezone

from harken.analytics.days import span, zone_of
from harken.analytics.segments import Segment, parse
from harken.core.models import Workspace

#: The ranges offered in the picker, in days.
RANGES = (7, 28, 90, 365)
DEFAULT_RANGE = 28
COMPARISONS = {
    "previous": "Previous period",
    "year": "Same days last year",
    "none": "No comparison",
}
#: The longest custom range: a year of rollups is still a few thousand rows.
MAX_DAYS = 731


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    @property
    def days(self) -> list[dt.date]:
        return span(self.first, self.last)

    @property
    def length(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The same number of days just before this one."""
        gap = dt.timedelta(days=self.length)
        return Period(self.first - gap, self.last - gap)

    def year_before(self) -> Period:
        return Period(self.first - dt.timedelta(days=364), self.last - dt.timedelta(days=364))

    def __str__(self) -> str:
        if self.first.year == self.last.year:
            return f"{self.first:%-d %b} – {self.last:%-d %b %Y}"
        return f"{self.first:%-d %b %Y} – {self.last:%-d %b %Y}"


@dataclass(frozen=True)
class Scope:
    """What a page shows: a period, its comparison, and the filters."""

    workspace: Workspace
    period: Period
    compare: str = "previous"
    network: str = ""
    topic: int = 0
    account: int = 0
    #: The people of one imported segment only (``segments``), or everyone.
    segment: Segment | None = None
    problems: tuple[str, ...] = ()
    #: What one request already loaded (figures shared by two panels), never compared.
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def before(self) -> Period | None:
        if self.compare == "none":
            return None
        return self.period.year_before() if self.compare == "year" else self.period.previous()

    def query(self, **changes: Any) -> str:
        """The URL query that shows this scope again (``changes`` applied)."""
        scope = replace(self, memo={}, **changes)
        params = QueryDict(mutable=True)
        params["start"] = scope.period.first.isoformat()
        params["end"] = scope.period.last.isoformat()
        params["compare"] = scope.compare
        for name in ("network", "topic", "account"):
            if getattr(scope, name):
                params[name] = str(getattr(scope, name))
        if scope.segment is not None:
            params["segment"] = scope.segment.param
        return params.urlencode()


def today_in(workspace: Workspace) -> dt.date:
    return timezone.now().astimezone(zone_of(workspace)).date()


def scope_from(workspace: Workspace, params: QueryDict) -> Scope:
    """The scope ``params`` ask for; anything malformed falls back and is named."""
    problems: list[str] = []
    today = today_in(workspace)
    period = Period(today - dt.timedelta(days=DEFAULT_RANGE - 1), today)
    if params.get("range"):
        days = _int(params.get("range"))
        if days in RANGES:
            period = Period(today - dt.timedelta(days=days - 1), today)
        else:
            problems.append("That range is not offered; showing the last 28 days.")
    elif params.get("start") or params.get("end"):
        chosen = _dates(params.get("start"), params.get("end"))
        if chosen is None:
            problems.append(
                f"Dates are read as YYYY-MM-DD, the start first, at most {MAX_DAYS} days; "
                "showing the last 28 days."
            )
        else:
            period = chosen
    compare = params.get("compare") or "previous"
    if compare not in COMPARISONS:
        problems.append("Unknown comparison; comparing with the previous period.")
        compare = "previous"
    return Scope(
        workspace=workspace,
        period=period,
        compare=compare,
        network=(params.get("network") or "")[:32],
        topic=_int(params.get("topic")) or 0,
        account=_int(params.get("account")) or 0,
        segment=parse(params.get("segment")),
        problems=tuple(problems),
    )


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number >= 0 else None


def _dates(start: str | None, end: str | None) -> Period | None:
    try:
        first = dt.date.fromisoformat(start or "")
        last = dt.date.fromisoformat(end or "")
    except ValueError:
        return None
    if first > last or (last - first).days >= MAX_DAYS:
        return None
    return Period(first, last)
