"""Reminders of the business's own events, N days before, to the people who plan posts.

Each event is reminded once: ``reminded_at`` is set by a conditional UPDATE, so two
workers never both send it, and ``notify`` records one notification per member and
event whatever happens. Changing an event's date clears ``reminded_at`` (the views do).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from harken.core.models import Member, Role
from harken.core.notify import notify, register_kind
from harken.publishing.models import Event

EVENT_REMINDER = register_kind("event_reminder", "An event on the calendar is coming up", 3).key
#: Roles that plan posts, so hear about the dates posts are planned around.
PLANNERS = [Role.OWNER, Role.MANAGER, Role.RESPONDER]


def due_events(now: datetime) -> list[Event]:
    """Events whose reminder day has come (in their workspace's zone) and not been sent."""
    rows = (
        Event.objects.filter(remind_days__isnull=False, reminded_at__isnull=True)
        .filter(starts__gte=(now - timedelta(days=1)).date())
        .filter(starts__lte=(now + timedelta(days=367)).date())
        .select_related("workspace")
    )
    due = []
    for event in rows:
        today = now.astimezone(ZoneInfo(event.workspace.time_zone)).date()
        remind_on = event.starts - timedelta(days=event.remind_days or 0)
        if remind_on <= today <= event.starts:
            due.append(event)
    return due


def send_reminders(now: datetime | None = None) -> int:
    """Remind each due event's planners; returns how many events were reminded."""
    now = now or timezone.now()
    sent = 0
    for event in due_events(now):
        # Claim the event: only the worker whose UPDATE changes the row sends.
        if not Event.objects.filter(pk=event.pk, reminded_at__isnull=True).update(reminded_at=now):
            continue
        days = (event.starts - now.astimezone(ZoneInfo(event.workspace.time_zone)).date()).days
        when = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
        url = reverse("calendar_event", args=[event.pk])
        for member in Member.objects.filter(workspace=event.workspace, role__in=PLANNERS):
            notify(
                member,
                EVENT_REMINDER,
                f"{event.title} is {when} ({event.starts:%a %-d %b})",
                "Plan a post for it from the calendar."
                + (f"\n\n{event.notes}" if event.notes else ""),
                url,
                about=f"publishing.event:{event.pk}:{event.starts.isoformat()}",
            )
        sent += 1
    return sent
