"""Sending reports: to the members who asked for them, once per period (the queue's
periodic task may run any number of times), or to one person on demand."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from harken.analytics.models import ReportSchedule, ReportSent
from harken.analytics.periods import today_in
from harken.analytics.reports.build import build
from harken.analytics.reports.periods import last_complete
from harken.analytics.reports.render import email
from harken.core.models import Member


def recipients(schedule: ReportSchedule) -> list[str]:
    """The addresses of the opted-in users who are still members of the workspace."""
    members = Member.objects.filter(
        workspace_id=schedule.workspace_id, user__in=schedule.recipients.all()
    )
    return sorted({m.user.email for m in members.select_related("user") if m.user.email})


def send_due(schedule: ReportSchedule, today: dt.date | None = None) -> ReportSent | None:
    """Send the last complete period's report unless it went out already; the row is
    claimed before the mail leaves, so two workers never both send it."""
    if schedule.cadence == ReportSchedule.Cadence.OFF:
        return None
    workspace = schedule.workspace
    period = last_complete(schedule.cadence, today or today_in(workspace))
    to = recipients(schedule)
    if not to:
        return None
    try:
        with transaction.atomic():
            sent = ReportSent.objects.create(
                workspace=workspace,
                cadence=schedule.cadence,
                first=period.first,
                last=period.last,
                recipients=len(to),
            )
            report = build(workspace, period, schedule.cadence)
            # Inside the transaction: a failed send frees the period for the next run.
            email(report, to, link=settings.BASE_URL + reverse("analytics")).send()
    except IntegrityError:
        return None
    return sent


def send_all_due() -> int:
    """Every scheduled workspace's due report; how many went out."""
    schedules = ReportSchedule.objects.exclude(cadence=ReportSchedule.Cadence.OFF)
    return sum(1 for s in schedules.select_related("workspace") if send_due(s))
