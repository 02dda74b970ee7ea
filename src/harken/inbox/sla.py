"""Service levels: when an answer is due, counted in the workspace's open hours.

A conversation's reply is due ``target`` open minutes after the customer began to wait
(``waiting_since``: the first message, or the first after our last answer), where the
target depends on the conversation's intent. Open hours are wall-clock times in the
workspace's time zone, so a day that changes the clocks still opens at 09:00 local.
``due_at`` is stored, kept current by ``reprioritize`` (threading calls it), so the list
and the "SLA at risk" view filter and sort by a column.

The clock stops in two cases, as Zendesk's and Front's users expect:

- *waiting on customer*: nothing is due while it is the customer's turn; when they write
  back, ``waiting_since`` is their new message and the clock starts again from it (the
  "next reply time" of Zendesk, not a clock that kept running while we waited for them);
- *snoozed*: a responder who snoozes a conversation ("the parcel arrives tomorrow, check
  then") is not late for the hours it sleeps. Each snooze is kept in ``sla_pauses``; the
  open time it covers within the current wait is added to the target, so the due time
  lies after the snooze ends by the time that was left. A snooze that ends early (the
  customer wrote, a person woke it) is cut at that moment.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Q

from harken.analysis.priority import duration
from harken.core.actions import audit
from harken.core.models import AuditEntry
from harken.inbox.models import Conversation, ServiceLevel
from harken.inbox.replyable import can_reply
from harken.listening.bulk import as_datetime, select_in, update_by_pk

UTC = dt.UTC
#: No policy finds open hours this many days ahead: its due time is left empty.
HORIZON_DAYS = 400
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
OPEN = (Conversation.Status.NEW, Conversation.Status.OPEN)


@dataclass(frozen=True)
class Calendar:
    """Open hours per weekday (0 = Monday) and closed dates, in one time zone."""

    zone: zoneinfo.ZoneInfo
    hours: dict[int, tuple[dt.time, dt.time]]
    closed: frozenset[dt.date]

    def spans(self, start: dt.datetime) -> Iterable[tuple[dt.datetime, dt.datetime]]:
        """The open spans (UTC) from ``start`` on, in order, over the horizon."""
        first = start.astimezone(self.zone).date()
        for offset in range(HORIZON_DAYS):
            day = first + dt.timedelta(days=offset)
            opening = self.hours.get(day.weekday())
            if opening is None or day in self.closed:
                continue
            begin = _utc(day, opening[0], self.zone)
            end = _utc(day, opening[1], self.zone)
            if end > start and end > begin:
                yield max(begin, start), end


def _utc(day: dt.date, at: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """A local wall-clock time as UTC. A time the clocks skip (02:30 on a spring-forward
    night) is read as the same wall time before the change, as ``zoneinfo`` does."""
    return dt.datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def calendar_of(level: ServiceLevel) -> Calendar:
    zone = zoneinfo.ZoneInfo(level.workspace.time_zone or "UTC")
    hours = {}
    for key, span in (level.hours or {}).items():
        opens, closes = parse_time(span[0]), parse_time(span[1])
        hours[int(key)] = (opens, closes)
    closed = frozenset(dt.date.fromisoformat(d) for d in level.closed_days or [])
    return Calendar(zone, hours, closed)


def parse_time(text: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise ValidationError(f"{text!r} is not a time such as 09:00.") from None


def add_open_time(start: dt.datetime, minutes: float, calendar: Calendar) -> dt.datetime | None:
    """The moment ``minutes`` of open time have passed since ``start`` (None: never open)."""
    left = dt.timedelta(minutes=minutes)
    for begin, end in calendar.spans(start):
        if left <= end - begin:
            return begin + left
        left -= end - begin
    return None


def open_time_between(start: dt.datetime, stop: dt.datetime, calendar: Calendar) -> dt.timedelta:
    """How much open time lies between two moments (the business-hours wait)."""
    total = dt.timedelta()
    for begin, end in calendar.spans(start):
        if begin >= stop:
            break
        total += min(end, stop) - begin
    return total


def due_for(
    level: ServiceLevel,
    calendar: Calendar,
    intent: str,
    waiting_since: dt.datetime | None,
    pauses: list[Pause] | None = None,
) -> dt.datetime | None:
    minutes = level.target_minutes(intent)
    if waiting_since is None or minutes <= 0:
        return None
    paused = pause_open_seconds(pauses or [], waiting_since, calendar)
    return add_open_time(waiting_since, minutes + paused / 60, calendar)


# --- snoozes pause the clock ---------------------------------------------------------------

#: One snooze: when it began and when it ended (or is planned to end).
Pause = tuple[dt.datetime, dt.datetime]


def read_pauses(raw: Any) -> list[Pause]:
    """The stored ``sla_pauses`` (a JSON list of ISO pairs; SQLite may hand back text)."""
    if isinstance(raw, str):
        raw = json.loads(raw)
    pauses = []
    for pair in raw if isinstance(raw, list) else []:
        try:
            start, end = (dt.datetime.fromisoformat(value) for value in pair)
        except (TypeError, ValueError):
            continue  # a damaged entry pauses nothing rather than breaking the sweep
        if end > start:
            pauses.append((start, end))
    return pauses


def write_pauses(pauses: list[Pause]) -> list[list[str]]:
    return [[start.isoformat(), end.isoformat()] for start, end in pauses]


def pause_open_seconds(pauses: list[Pause], since: dt.datetime, calendar: Calendar) -> float:
    """Open time covered by the snoozes after ``since`` (overlaps counted once)."""
    covered = 0.0
    reached = since
    for start, end in sorted(pauses):
        start = max(start, reached)
        if end <= start:
            continue
        covered += open_time_between(start, end, calendar).total_seconds()
        reached = end
    return covered


def pause_started(raw: Any, now: dt.datetime, until: dt.datetime) -> list[list[str]]:
    """The pauses after a snooze from ``now`` until ``until``; a snooze that changes the
    time of one still running replaces its end rather than adding a second pause."""
    pauses = read_pauses(raw)
    if pauses and pauses[-1][0] <= now < pauses[-1][1]:
        pauses[-1] = (pauses[-1][0], until)
    else:
        pauses.append((now, until))
    return write_pauses(pauses[-20:])  # the old ones matter only within one wait


def pause_ended(raw: Any, now: dt.datetime) -> list[list[str]] | None:
    """The pauses after the running snooze ended at ``now`` (earlier than planned)."""
    pauses = read_pauses(raw)
    if not pauses or not pauses[-1][0] <= now < pauses[-1][1]:
        return None  # nothing running: nothing to cut
    pauses[-1] = (pauses[-1][0], now)
    return write_pauses(pauses)


# --- keeping ``due_at`` current ----------------------------------------------------------


def update_due(conversation_ids: Iterable[int]) -> int:
    """Recompute the due time of these conversations; returns how many changed. Only a
    conversation that waits for us (new or open) is due; others have none."""
    ids = sorted(set(conversation_ids))
    if not ids:
        return 0
    names = [
        "id",
        "workspace",
        "network",
        "status",
        "intent",
        "waiting_since",
        "due_at",
        "sla_pauses",
    ]
    rows = select_in(Conversation, names, {}, "id", ids)
    workspaces = sorted({row[1] for row in rows})
    levels = {
        level.workspace_id: (level, calendar_of(level))
        for level in ServiceLevel.objects.filter(workspace_id__in=workspaces).select_related(
            "workspace"
        )
    }
    changed = []
    for pk, workspace_id, network, status, intent, waiting_since, due_at, paused in rows:
        found = levels.get(workspace_id)
        due = None
        if found is not None and status in OPEN and can_reply(network):
            pauses = read_pauses(paused) if paused else []
            since = as_datetime(waiting_since)
            due = due_for(found[0], found[1], intent or "", since, pauses)
        if due != as_datetime(due_at):
            changed.append((due, pk))
    update_by_pk(Conversation, ["due_at"], changed)
    return len(changed)


def update_workspace_due(workspace_id: int) -> int:
    """After the service level changed: every waiting conversation of the workspace."""
    ids = Conversation.objects.filter(
        Q(status__in=OPEN) | Q(due_at__isnull=False), workspace_id=workspace_id
    )
    return update_due(list(ids.values_list("pk", flat=True)))


# --- what a row shows --------------------------------------------------------------------


@dataclass(frozen=True)
class Badge:
    text: str
    state: str  # "ok", "risk", "overdue"


def badge(
    conversation: Conversation, now: dt.datetime, warn: dt.timedelta | None = None
) -> Badge | None:
    """ "due in 25 min" or "overdue 2 h", for a conversation that waits for us."""
    due = conversation.due_at
    if due is None or conversation.status not in OPEN:
        return None
    left = (due - now).total_seconds()
    if left < 0:
        return Badge(f"overdue {duration(-left)}", "overdue")
    warn = warn if warn is not None else dt.timedelta(minutes=30)
    state = "risk" if left <= warn.total_seconds() else "ok"
    return Badge(f"due in {duration(max(left, 60))}", state)


# --- breaches ----------------------------------------------------------------------------

BREACH = "sla.breach"


def record_breaches(now: dt.datetime, limit: int = 2000) -> int:
    """Count each missed due time once: mark the conversation and write it to the audit
    log (with its assignee), which the service-level page sums up."""
    overdue = (
        Conversation.objects.filter(status__in=OPEN, due_at__lte=now)
        .exclude(breached_due=F("due_at"))
        .select_related("workspace", "assignee")
        .order_by("due_at", "pk")[:limit]
    )
    counted = 0
    for conversation in overdue:
        due = conversation.due_at
        marked = Conversation.objects.filter(pk=conversation.pk, due_at=due).exclude(
            breached_due=due
        )
        if marked.update(breached_due=due):
            who = conversation.assignee.get_username() if conversation.assignee else ""
            audit(
                conversation.workspace,
                None,
                BREACH,
                conversation,
                due=due.isoformat() if due else "",
                intent=conversation.intent,
                assignee=who,
            )
            counted += 1
    return counted


def breaches_since(workspace_id: int, since: dt.datetime) -> dict[str, int]:
    """Missed due times per assignee ("" for nobody) since ``since``, from the audit log."""
    counts: dict[str, int] = {}
    entries = AuditEntry.objects.filter(
        workspace_id=workspace_id, action=BREACH, created__gte=since
    ).values_list("changes", flat=True)
    for changes in entries:
        who = str((changes or {}).get("assignee", ""))
        counts[who] = counts.get(who, 0) + 1
    return counts
