"""Retraining off the web request: a ``RetrainJob`` row, a queue task, a status to show.

Fitting reads up to ``MAX_CORRECTIONS`` corrections, runs the shipped model over them and
cross-validates: seconds to minutes, too long for a request. The page queues a job and
shows its state; a worker (``harken serve`` runs one, or ``harken worker``) claims it with
an atomic state change, as the publishing scheduler does, so a job runs once.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from harken.analysis.adjust import do_retrain
from harken.analysis.models import Correction, RetrainJob
from harken.core.models import AuditEntry

log = logging.getLogger(__name__)

#: A job queued or running longer than this was lost (no worker, or one killed mid-fit):
#: it is marked failed so that the workspace may start another.
STALE_AFTER = timedelta(minutes=30)


class NothingToLearn(ValueError):
    """The workspace has no corrections yet."""


def latest_job(workspace: Any) -> RetrainJob | None:
    return RetrainJob.objects.filter(workspace=workspace).order_by("-created", "-id").first()


def do_queue_retrain(workspace: Any, user: Any = None) -> tuple[RetrainJob, bool]:
    """Queue a retrain, or return the one already queued or running: ``(job, queued)``."""
    if not Correction.objects.filter(workspace=workspace).exists():
        raise NothingToLearn("There are no corrections to learn from yet.")
    fail_stale_jobs(workspace)
    try:
        with transaction.atomic():
            job = RetrainJob.objects.create(workspace=workspace, requested_by=user)
    except IntegrityError:
        # A second click (or a second tab) while one is queued or running: the database's
        # constraint allows one at a time, so this one joins it.
        running = RetrainJob.objects.filter(workspace=workspace, state__in=RetrainJob.ACTIVE)
        return running.get(), False
    AuditEntry.objects.create(
        workspace=workspace, actor=user, action="analysis.retrain_queued", target=str(job)
    )
    from harken.analysis.tasks import retrain_task

    retrain_task(job.pk)
    job.refresh_from_db()  # the queue may run it at once (tests, an immediate queue)
    return job, True


def fail_stale_jobs(workspace: Any, now: Any = None) -> int:
    now = now or timezone.now()
    return RetrainJob.objects.filter(
        workspace=workspace, state__in=RetrainJob.ACTIVE, created__lt=now - STALE_AFTER
    ).update(
        state=RetrainJob.State.FAILED,
        finished=now,
        error=(
            "No worker finished this retrain within "
            f"{int(STALE_AFTER.total_seconds() // 60)} minutes: is `harken serve` or "
            "`harken worker` running? Start it again."
        ),
    )


def run_retrain(job_id: int) -> RetrainJob | None:
    """Claim a queued job and fit; the outcome (or the error, in words) lands on the row.
    None when the job is not queued (another worker took it, or it was marked stale)."""
    claimed = RetrainJob.objects.filter(pk=job_id, state=RetrainJob.State.QUEUED).update(
        state=RetrainJob.State.RUNNING, started=timezone.now()
    )
    if claimed != 1:
        return None
    job = RetrainJob.objects.select_related("workspace", "requested_by").get(pk=job_id)
    try:
        adjustment = do_retrain(job.workspace, job.requested_by)
    except Exception as exc:
        log.exception("Retraining workspace %s failed", job.workspace_id)
        _finish(job, RetrainJob.State.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
    else:
        _finish(job, RetrainJob.State.DONE, adjustment=adjustment)
    return job


def _finish(job: RetrainJob, state: str, **outcome: Any) -> None:
    job.state = state
    job.finished = timezone.now()
    for field, value in outcome.items():
        setattr(job, field, value)
    job.save(update_fields=["state", "finished", *outcome])
