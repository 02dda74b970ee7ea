"""The managers' page for the workspace's analysis: corrections, retrain, switch on."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from harken.analysis.adjust import do_activate, do_deactivate, do_retrain
from harken.analysis.models import Correction, WorkspaceAdjustment
from harken.core.access import access_object, scoped, workspace_view
from harken.core.models import Role

RECENT = 20


@workspace_view(Role.MANAGER)
def analysis_settings(request: HttpRequest) -> HttpResponse:
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
    }
    return render(request, "analysis/settings.html", context)


@require_POST
@workspace_view(Role.MANAGER)
def analysis_retrain(request: HttpRequest) -> HttpResponse:
    if not scoped(request, Correction).exists():
        messages.error(request, "There are no corrections to learn from yet.")
        return redirect("analysis_settings")
    adjustment = do_retrain(request.workspace, request.user)  # type: ignore[attr-defined]
    messages.success(
        request,
        f"Fitted on {adjustment.corrections} corrections. Compare the figures, then switch it on.",
    )
    return redirect("analysis_settings")


@require_POST
@workspace_view(Role.MANAGER)
def analysis_activate(request: HttpRequest, pk: int) -> HttpResponse:
    adjustment = access_object(request, WorkspaceAdjustment, pk)
    do_activate(adjustment, request.user)
    messages.success(request, "The adjustment is on: new mentions are analysed with it.")
    return redirect("analysis_settings")


@require_POST
@workspace_view(Role.MANAGER)
def analysis_deactivate(request: HttpRequest) -> HttpResponse:
    do_deactivate(request.workspace, request.user)  # type: ignore[attr-defined]
    messages.success(request, "Back to the shipped model.")
    return redirect("analysis_settings")
