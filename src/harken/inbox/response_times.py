"""Response and resolution times per member, from what each conversation stores: who
sent our first answer and when, who resolved it and when. Times are wall-clock and, when
the workspace has opening hours, in open hours too (what the service level counts)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass

from harken.analysis.priority import duration
from harken.inbox.models import Conversation, ServiceLevel
from harken.inbox.sla import Calendar, calendar_of, open_time_between


@dataclass(frozen=True)
class MemberTimes:
    who: str
    answered: int
    first_response: float | None  # median seconds, wall-clock
    first_response_open: float | None  # median seconds of open time
    resolved: int
    resolution: float | None  # median seconds from first message to resolved

    @property
    def words(self) -> dict[str, str]:
        """Each median in words ("25 min", "3 h"), "—" where there is none."""
        return {
            name: duration(value) if value is not None else "—"
            for name, value in (
                ("first_response", self.first_response),
                ("first_response_open", self.first_response_open),
                ("resolution", self.resolution),
            )
        }


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def times_by_member(workspace_id: int, since: dt.datetime, limit: int = 5000) -> list[MemberTimes]:
    level = ServiceLevel.objects.filter(workspace_id=workspace_id).select_related("workspace")
    found = level.first()
    calendar: Calendar | None = calendar_of(found) if found else None
    base = Conversation.objects.filter(workspace_id=workspace_id, first_message_at__isnull=False)
    wall: dict[str, list[float]] = defaultdict(list)
    opened: dict[str, list[float]] = defaultdict(list)
    for who, start, answer in (
        base.filter(first_responder__isnull=False, first_response_at__gte=since)
        .values_list("first_responder__username", "first_message_at", "first_response_at")
        .order_by("-first_response_at")[:limit]
    ):
        if start is None or answer is None:  # filtered out above; the types cannot tell
            continue
        wall[who].append(max(0.0, (answer - start).total_seconds()))
        if calendar is not None:
            opened[who].append(open_time_between(start, answer, calendar).total_seconds())
    resolved: dict[str, list[float]] = defaultdict(list)
    for who, start, done in (
        base.filter(resolved_by__isnull=False, resolved_at__gte=since)
        .values_list("resolved_by__username", "first_message_at", "resolved_at")
        .order_by("-resolved_at")[:limit]
    ):
        if start is None or done is None:
            continue
        resolved[who].append(max(0.0, (done - start).total_seconds()))
    return [
        MemberTimes(
            who=who,
            answered=len(wall[who]),
            first_response=_median(wall[who]),
            first_response_open=_median(opened[who]),
            resolved=len(resolved[who]),
            resolution=_median(resolved[who]),
        )
        for who in sorted(set(wall) | set(resolved))
    ]
