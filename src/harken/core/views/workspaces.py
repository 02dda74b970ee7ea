from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from harken.core.access import (
    WorkspaceRequest,
    access_workspace,
    memberships,
    open_workspace,
    workspace_view,
)
from harken.core.actions import do_create_workspace, do_update_workspace
from harken.core.forms import WorkspaceForm
from harken.core.models import Role
from harken.core.refused import bind, refused


@login_required
def workspace_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/workspace_list.html",
        {"rows": memberships(request.user), "title": "Workspaces", "section": "settings"},
    )


@login_required
def workspace_create(request: HttpRequest) -> HttpResponse:
    form = bind(request, WorkspaceForm)
    if request.method == "POST":
        if form.is_valid():
            try:
                workspace = do_create_workspace(request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                open_workspace(request, workspace)
                messages.success(request, f"Workspace {workspace.name} created.")
                return redirect("inbox")
        return refused(request, form)
    return render(request, "core/workspace_form.html", {"form": form, "title": "New workspace"})


@login_required
@require_POST
def workspace_switch(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("workspace", "").strip()
    # A digit string that fits a database integer; anything else is a bad request, not a 500.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        return HttpResponseBadRequest(
            "Choose a workspace from the list.", content_type="text/plain"
        )
    workspace = access_workspace(request, int(raw))
    open_workspace(request, workspace)
    return redirect(safe_next(request, request.POST.get("next", "")) or "inbox")


def safe_next(request: HttpRequest, target: str) -> str:
    """``target`` when it stays on this site (a path, or this host on this scheme), else ""."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@workspace_view(Role.VIEWER)
def workspace_settings(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    can_edit = request.member.can(Role.OWNER)
    initial = {"name": workspace.name, "time_zone": workspace.time_zone}
    form = bind(request, WorkspaceForm, initial=initial)
    if request.method == "POST":
        if not can_edit:
            return HttpResponse("Only an owner can change the workspace.", status=403)
        if form.is_valid():
            try:
                do_update_workspace(workspace, request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Workspace saved.")
                return redirect("settings")
        return refused(request, form)
    return render(
        request,
        "core/settings_workspace.html",
        {
            "form": form,
            "can_edit": can_edit,
            "title": "Settings",
            "section": "settings",
            "tab": "workspace",
        },
    )
