"""Settings › Service levels (managers): the workspace's hours and answer targets."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages as flash
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from harken.core.access import WorkspaceRequest, workspace_view
from harken.core.actions import audit
from harken.core.models import Role
from harken.core.refused import bind, refused
from harken.inbox.models import ServiceLevel
from harken.inbox.response_times import times_by_member
from harken.inbox.sla import breaches_since, update_workspace_due
from harken.inbox.sla_forms import ServiceLevelForm

BREACH_WINDOW = timedelta(days=30)


@workspace_view(Role.MANAGER)
def service_level(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    level = ServiceLevel.objects.filter(workspace=workspace).first() or ServiceLevel(
        workspace=workspace
    )
    form = bind(request, ServiceLevelForm, level=level)
    if request.method == "POST":
        if not form.is_valid():
            return refused(request, form)
        saved = form.save()
        changed = update_workspace_due(workspace.pk)
        audit(workspace, request.user, "sla.save", saved, hours=saved.hours, due_changed=changed)
        flash.success(request, "Service level saved; due times are updated.")
        return redirect("inbox_sla")
    context = {
        "section": "settings",
        "tab": "sla",
        "title": "Service levels",
        "form": form,
        "level": level,
        "time_zone": workspace.time_zone,
        "breaches": sorted(
            breaches_since(workspace.pk, timezone.now() - BREACH_WINDOW).items(),
            key=lambda pair: (-pair[1], pair[0]),
        ),
        "breach_days": BREACH_WINDOW.days,
        "times": times_by_member(workspace.pk, timezone.now() - BREACH_WINDOW),
    }
    return render(request, "inbox/sla.html", context)
