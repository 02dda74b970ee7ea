"""Queue tasks of the analysis app. Thin: each calls a function tested without the queue."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()
def retrain_task(job_id: int) -> None:
    # Nothing returned: the outcome is on the job's row, which the settings page shows.
    from harken.analysis.retraining import run_retrain

    run_retrain(job_id)
