"""The managers' page for the workspace's analysis: corrections, retrain, switch on."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from harken.analysis.adjust import do_activate, do_deactivate
from harken.analysis.models import Correction, RetrainJob, WorkspaceAdjustment
from harken.analysis.retraining import NothingToLearn, do_queue_retrain, latest_job
from harken.core.access import WorkspaceRequest, access_object, scoped, workspace_view
from harken.core.models import Role

RECENT = 20


@workspace_view(Role.MANAGER)
def analysis_settings(request: WorkspaceRequest) -> HttpResponse:
    corrections = scoped(request, Correction)
    context = {
        "section": "settings",
        "tab": "analysis",
        "total": corrections.count(),
        "by_label": corrections.values("field", "label")
        .annotate(n=Count("id"))
        .order_by("field", "label"),
        "recent": corrections.select_related("user")[:RECENT],
        "adjustments": scoped(request, WorkspaceAdjustment).select_related("created_by")[:10],
        "job": latest_job(request.workspace),
    }
    return render(request, "analysis/settings.html", context)


@require_POST
@workspace_view(Role.MANAGER)
def analysis_retrain(request: WorkspaceRequest) -> HttpResponse:
    """Queue a retrain (a worker fits it); a second click while one runs joins that one."""
    try:
        job, queued = do_queue_retrain(request.workspace, request.user)
    except NothingToLearn as exc:
        messages.error(request, str(exc))
        return redirect("analysis_settings")
    if not queued:
        messages.info(request, f"A retrain is already {job.get_state_display().lower()}.")
    elif job.state == RetrainJob.State.DONE:
        messages.success(request, "Retrained. Compare the figures, then switch it on.")
    elif job.state == RetrainJob.State.FAILED:
        messages.error(request, f"The retrain failed: {job.error}")
    else:
        messages.success(request, "Retrain queued: the figures appear here when it is done.")
    return redirect("analysis_settings")


@workspace_view(Role.MANAGER)
def analysis_retrain_status(request: WorkspaceRequest) -> HttpResponse:
    """The retrain's state, polled by the page while one is queued or running; once it
    ends, the whole page reloads to show the new adjustment's figures."""
    job = latest_job(request.workspace)
    response = render(request, "analysis/_retrain_status.html", {"job": job})
    if request.GET.get("was") == "active" and (job is None or not job.is_active):
        response["HX-Refresh"] = "true"
    return response


@require_POST
@workspace_view(Role.MANAGER)
def analysis_activate(request: WorkspaceRequest, pk: int) -> HttpResponse:
    adjustment = access_object(request, WorkspaceAdjustment, pk)
    do_activate(adjustment, request.user)
    messages.success(request, "The adjustment is on: new mentions are analysed with it.")
    return redirect("analysis_settings")


@require_POST
@workspace_view(Role.MANAGER)
def analysis_deactivate(request: WorkspaceRequest) -> HttpResponse:
    do_deactivate(request.workspace, request.user)
    messages.success(request, "Back to the shipped model.")
    return redirect("analysis_settings")
