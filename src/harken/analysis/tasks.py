"""Queue tasks of the analysis app. Thin: each calls a function tested without the queue."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def retrain_task(job_id: int) -> None:
    # Nothing returned: the outcome is on the job's row, which the settings page shows.
    from harken.analysis.retraining import run_retrain

    run_retrain(job_id)


@db_periodic_task(crontab(minute="*"))
def second_pass_task() -> None:
    """Every minute: the transformer re-scores what people will see (``second_pass``).

    Bounded by ``RUN_SECONDS`` so that runs do not pile up; no lock (a crashed worker's
    lock would stop the pass), and two overlapping runs only re-score a few rows twice.
    """
    from harken.analysis.second_pass import run_all

    run_all()
