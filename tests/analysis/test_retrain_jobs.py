"""Retraining runs on the queue (immediate in tests), one at a time per workspace, and the
settings page shows its state: queued, running, done, or failed with the error."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from harken.analysis import do_correct
from harken.analysis.models import Correction, RetrainJob, WorkspaceAdjustment
from harken.analysis.retraining import do_queue_retrain, run_retrain
from harken.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PAGE = reverse("analysis_settings")
RETRAIN = reverse("analysis_retrain")
STATUS = reverse("analysis_retrain_status")


@pytest.fixture
def corrected(workspace, bob):
    for text in ["sick deck", "so sick", "sick wheels bro"]:
        do_correct(workspace, bob, text, "sentiment", "positive")
    return workspace


def test_a_retrain_is_queued_run_by_a_worker_and_shown_done(alice_client, alice, corrected):
    page = alice_client.post(RETRAIN, follow=True)
    job = RetrainJob.objects.get(workspace=corrected)
    assert (job.state, job.requested_by, job.error) == ("done", alice, "")
    assert job.adjustment == WorkspaceAdjustment.objects.get(workspace=corrected)
    assert job.started <= job.finished
    html = page.content.decode()
    assert "Retrained. Compare the figures" in html
    assert "Last retrain done" in html and "on 3 corrections" in html
    assert 'hx-trigger="every 2s"' not in html  # nothing left to poll for
    assert AuditEntry.objects.filter(action="analysis.retrain_queued").count() == 1


def test_a_second_click_while_one_runs_does_not_start_another(alice_client, alice, corrected):
    running = RetrainJob.objects.create(
        workspace=corrected, requested_by=alice, state="running", started=timezone.now()
    )
    page = alice_client.post(RETRAIN, follow=True)
    assert "A retrain is already running." in page.content.decode()
    assert list(RetrainJob.objects.all()) == [running]
    assert not WorkspaceAdjustment.objects.exists()


def test_the_database_allows_one_queued_or_running_retrain_per_workspace(corrected):
    RetrainJob.objects.create(workspace=corrected, state="queued")
    with pytest.raises(IntegrityError):
        RetrainJob.objects.create(workspace=corrected, state="running")


def test_while_queued_the_page_polls_the_status_and_the_button_waits(alice_client, corrected):
    RetrainJob.objects.create(workspace=corrected, state="queued")
    html = alice_client.get(PAGE).content.decode()
    assert "Retrain queued" in html and "starts when a worker is free" in html
    assert f'hx-get="{STATUS}?was=active" hx-trigger="every 2s"' in html
    assert "Retraining…</button>" in html


def test_the_polled_status_reloads_the_page_once_the_retrain_ends(alice_client, corrected):
    job = RetrainJob.objects.create(workspace=corrected, state="running", started=timezone.now())
    polled = alice_client.get(STATUS, {"was": "active"})
    assert "Retraining since" in polled.content.decode()
    assert "HX-Refresh" not in polled
    RetrainJob.objects.filter(pk=job.pk).update(state="done", finished=timezone.now())
    assert alice_client.get(STATUS, {"was": "active"})["HX-Refresh"] == "true"


def test_a_failed_retrain_shows_the_error_and_lets_the_next_one_start(alice_client, corrected):
    # A label this version does not know (stored by an older one): fitting fails on it.
    Correction.objects.create(workspace=corrected, text="meh", field="sentiment", label="ecstatic")
    page = alice_client.post(RETRAIN, follow=True)
    job = RetrainJob.objects.get()
    assert job.state == "failed" and job.finished is not None
    assert job.error == "ValueError: tuple.index(x): x not in tuple"
    html = page.content.decode()
    assert "The last retrain failed" in html
    assert "ValueError: tuple.index(x): x not in tuple" in html
    Correction.objects.filter(label="ecstatic").delete()
    alice_client.post(RETRAIN)
    assert RetrainJob.objects.filter(state="done").count() == 1


def test_a_retrain_no_worker_finished_is_marked_failed_and_another_starts(alice, corrected):
    lost = RetrainJob.objects.create(workspace=corrected, state="running")
    RetrainJob.objects.filter(pk=lost.pk).update(created=timezone.now() - timedelta(minutes=31))
    job, queued = do_queue_retrain(corrected, alice)
    assert queued and job.state == "done"
    lost.refresh_from_db()
    assert lost.state == "failed" and "No worker finished this retrain" in lost.error


def test_a_job_runs_once_whoever_else_picks_it_up(corrected):
    job = RetrainJob.objects.create(workspace=corrected, state="queued")
    assert run_retrain(job.pk) is not None
    assert run_retrain(job.pk) is None  # a second worker, or the same task delivered twice
    assert WorkspaceAdjustment.objects.count() == 1


def test_without_corrections_nothing_is_queued(alice_client, workspace):
    page = alice_client.post(RETRAIN, follow=True)
    assert "no corrections to learn from" in page.content.decode()
    assert not RetrainJob.objects.exists()


def test_a_responder_may_not_see_the_status(bob_client, corrected):
    assert bob_client.get(STATUS).status_code == 403


def test_another_workspaces_retrain_is_not_shown(charlie_client, corrected):
    RetrainJob.objects.create(workspace=corrected, state="failed", error="secret words")
    assert "secret words" not in charlie_client.get(STATUS).content.decode()
