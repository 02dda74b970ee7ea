"""Workspace isolation and roles, in one place.

Every view reaches workspace data through these helpers. A row of another workspace is
indistinguishable from a missing row: both raise Http404. A role too low raises
PermissionDenied (403), checked on the server whatever the page showed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django_htmx.middleware import HtmxDetails

from harken.core.models import Authority, Member, Role, Workspace

M = TypeVar("M", bound=models.Model)
View = Callable[..., HttpResponse]


class WorkspaceRequest(HttpRequest):
    """A request that passed ``workspace_view``: the member and workspace it acts in
    (set by ``WorkspaceMiddleware``) and django-htmx's details, typed for the views."""

    workspace: Workspace
    member: Member
    htmx: HtmxDetails


def memberships(user: Any) -> models.QuerySet[Member]:
    return Member.objects.filter(user=user).select_related("workspace")


def current_member(request: HttpRequest) -> Member | None:
    """The request user's membership in the workspace chosen in the session."""
    user = request.user
    if not user.is_authenticated:
        return None
    rows = memberships(user)
    chosen = request.session.get("workspace_id")
    member = rows.filter(workspace_id=chosen).first() if chosen else None
    # A new session (after logging in again) opens the workspace the member chose last.
    return (
        member or rows.order_by(F("last_opened").desc(nulls_last=True), "workspace__name").first()
    )


def open_workspace(request: HttpRequest, workspace: Workspace) -> None:
    """Make ``workspace`` the current one, now and in the user's next session."""
    request.session["workspace_id"] = workspace.pk
    memberships(request.user).filter(workspace=workspace).update(last_opened=timezone.now())


def scoped(request: HttpRequest, model: type[M]) -> models.QuerySet[M]:
    """All rows of ``model`` in the request's workspace (none when there is no workspace)."""
    workspace = getattr(request, "workspace", None)
    manager = model._default_manager
    if workspace is None:
        return manager.none()
    return manager.filter(workspace=workspace)


def access_object(request: HttpRequest, model: type[M], pk: Any, **filters: Any) -> M:
    """One row of the request's workspace, or 404 for a missing row and any other workspace's."""
    return get_object_or_404(scoped(request, model), pk=pk, **filters)


def check_role(request: HttpRequest, role: Role | str) -> Member:
    member = getattr(request, "member", None)
    if member is None:
        raise Http404("No workspace")
    if not member.can(role):
        raise PermissionDenied(f"This needs the {Role(role).label.lower()} role or higher.")
    return member


def check_authority(request: HttpRequest, key: str) -> Any:
    member = getattr(request, "member", None)
    if member is None:
        raise Http404("No workspace")
    return Authority.value_for(member.workspace, member.role, key)


def workspace_view(role: Role | str = Role.VIEWER) -> Callable[[View], View]:
    """Decorate a view that needs a signed-in member of the current workspace with ``role``."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if getattr(request, "member", None) is None:
                return redirect("workspace_list")
            check_role(request, role)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def access_workspace(request: HttpRequest, pk: Any) -> Workspace:
    """A workspace the request user belongs to, or 404."""
    member = get_object_or_404(memberships(request.user), workspace_id=pk)
    return member.workspace
