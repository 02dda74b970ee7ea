"""Saved views: a filter of the inbox list kept under a name, the member's own or shared
with the workspace, listed with live counts beside the built-in views."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from harken.core.access import WorkspaceRequest, scoped, workspace_view
from harken.core.actions import audit
from harken.core.models import Member, Role
from harken.inbox import filters
from harken.inbox.models import SavedView, Tag

MAX_NAME = 60
#: The built-in views a saved view may start from (``harken.inbox.views.VIEWS``).
VIEW_KEYS = frozenset(
    {"mine", "unassigned", "held", "at_risk", "overdue", "snoozed", "resolved", "all"}
)
#: A member keeps at most this many views (their own and the shared ones they made).
MAX_VIEWS = 50


def visible(request: WorkspaceRequest) -> QuerySet[SavedView]:
    """The views the member sees: their own and those shared with the workspace."""
    return scoped(request, SavedView).filter(Q(owner=request.user) | Q(shared=True))


def url_of(view: SavedView) -> str:
    return reverse("inbox") + "?" + urlencode({"saved": view.pk, **view.filters})


def do_save_view(member: Member, name: str, chosen: dict[str, str], shared: bool) -> SavedView:
    name = " ".join((name or "").split())[:MAX_NAME]
    if not name:
        raise ValidationError("Give the view a name.")
    if not chosen:
        raise ValidationError("Choose at least one filter before saving a view.")
    if shared and not member.can(Role.MANAGER):
        raise PermissionDenied("Only a manager can share a view with the workspace.")
    mine = SavedView.objects.filter(workspace_id=member.workspace_id, owner_id=member.user_id)
    if mine.count() >= MAX_VIEWS:
        raise ValidationError(f"You have {MAX_VIEWS} saved views; delete one first.")
    view = SavedView.objects.create(
        workspace_id=member.workspace_id,
        owner_id=member.user_id,
        name=name,
        shared=shared,
        filters=chosen,
    )
    audit(member.workspace, member.user, "inbox.view_save", view, filters=chosen, shared=shared)
    return view


def do_delete_view(member: Member, view: SavedView) -> None:
    if view.owner_id != member.user_id and not member.can(Role.MANAGER):
        raise PermissionDenied("Only its owner or a manager can delete this view.")
    audit(member.workspace, member.user, "inbox.view_delete", view)
    view.delete()


def _members(request: WorkspaceRequest) -> list[Member]:
    return list(Member.objects.filter(workspace=request.workspace))


@require_POST
@workspace_view(Role.RESPONDER)
def save_view(request: WorkspaceRequest) -> HttpResponse:
    """Save the list's current filters (posted back by the list's form, checked again)."""
    chosen = filters.parse(request.POST, list(scoped(request, Tag)), _members(request))
    view_key = request.POST.get("view", "")
    if view_key in VIEW_KEYS and view_key != "needs_reply":
        chosen = {"view": view_key, **chosen}
    back = reverse("inbox") + ("?" + urlencode(chosen) if chosen else "")
    try:
        view = do_save_view(
            request.member, request.POST.get("name", ""), chosen, request.POST.get("shared") == "on"
        )
    except (ValidationError, PermissionDenied) as refusal:
        words: Any = getattr(refusal, "messages", None) or [str(refusal)]
        flash.error(request, " ".join(words))
        return redirect(back)
    flash.success(request, f"Saved the view “{view.name}”.")
    return redirect(url_of(view))


@require_POST
@workspace_view(Role.RESPONDER)
def delete_view(request: WorkspaceRequest, pk: int) -> HttpResponse:
    view = get_object_or_404(visible(request), pk=pk)  # another's private view: 404
    do_delete_view(request.member, view)
    flash.success(request, f"Deleted the view “{view.name}”.")
    return redirect("inbox")
