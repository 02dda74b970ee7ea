"""The queue's periodic send of scheduled reports (imported by ``analytics.tasks``)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from harken.analytics.reports.sending import send_all_due


# Hourly, early in the hour: a report is due from the first day after its period, in the
# workspace's own time zone; ReportSent makes every later run a no-op for that period.
@db_periodic_task(crontab(minute="7"))
@lock_task("analytics-reports")
def send_scheduled_reports() -> None:
    send_all_due()
