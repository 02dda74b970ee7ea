"""Queue tasks of the analytics app. Thin: each calls a function tested without the queue."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from harken.analytics.post_metrics import snapshot_posts
from harken.analytics.reports.tasks import send_scheduled_reports  # noqa: F401 (registers it)
from harken.analytics.rollups import catch_up, roll_all
from harken.analytics.snapshots import snapshot_all
from harken.core.models import Workspace


def do_catch_up() -> int:
    """Roll up what changed in every workspace; returns the days rolled up."""
    return sum(catch_up(workspace) for workspace in Workspace.objects.all())


@db_periodic_task(crontab(minute="*"))
@lock_task("analytics-rollups")
def keep_rollups_current() -> None:
    do_catch_up()


# Retried: the minute's catch-up may hold the lock when the back-fill is queued.
@db_task(retries=10, retry_delay=60)
@lock_task("analytics-rollups")
def back_fill(workspace_id: int) -> None:
    """Roll up every day of a workspace again (after an import, or a time zone change)."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is not None:
        roll_all(workspace)


@db_periodic_task(crontab(hour="*/6", minute="17"))
def take_snapshots() -> None:
    # Four times a day: a day missed by a network's outage is filled by the next run.
    snapshot_all()


@db_periodic_task(crontab(hour="*/6", minute="37"))
@lock_task("analytics-post-metrics")
def take_post_metrics() -> None:
    # Four times a day, like the followers: the day's row is overwritten with the newest.
    snapshot_posts()
