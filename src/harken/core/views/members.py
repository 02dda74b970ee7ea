from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from harken.core import throttle
from harken.core.access import WorkspaceRequest, access_object, check_role, scoped, workspace_view
from harken.core.actions import (
    do_accept_invitation,
    do_change_role,
    do_create_owner,
    do_create_workspace,
    do_invite,
    do_remove_member,
    do_revoke_invitation,
    do_set_authority,
    find_invitation,
    send_invitation,
)
from harken.core.forms import InvitationForm, RoleForm, SignUpForm, WorkspaceForm
from harken.core.models import AUTHORITY_RULES, Authority, Invitation, Member, Role
from harken.core.refused import bind, refused
from harken.core.setup import check_setup_token
from harken.core.views.auth import throttled


def _settings_page(
    request: WorkspaceRequest, template: str, tab: str, **context: object
) -> HttpResponse:
    context.update({"title": "Settings", "section": "settings", "tab": tab})
    return render(request, template, context)


@workspace_view(Role.VIEWER)
def member_list(request: WorkspaceRequest) -> HttpResponse:
    members = scoped(request, Member).select_related("user").order_by("user__username")
    invitations = [
        i for i in scoped(request, Invitation).select_related("invited_by") if i.is_usable
    ]
    return _settings_page(
        request,
        "core/settings_members.html",
        "members",
        members=members,
        invitations=invitations,
        roles=Role.choices,
        can_manage=request.member.can(Role.MANAGER),
        invite_form=InvitationForm(),
        new_link=request.session.pop("new_invitation_link", None),
    )


@workspace_view(Role.MANAGER)
@require_POST
def member_role(request: WorkspaceRequest, pk: int) -> HttpResponse:
    member = access_object(request, Member, pk)
    form = RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Choose a role.")
        do_change_role(member, request.member, form.cleaned_data["role"])
        messages.success(request, f"{member.user} is now {member.get_role_display().lower()}.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("member_list")


@workspace_view(Role.MANAGER)
@require_POST
def member_remove(request: WorkspaceRequest, pk: int) -> HttpResponse:
    member = access_object(request, Member, pk)
    try:
        do_remove_member(member, request.member)
        messages.success(request, f"{member.user} was removed.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("member_list")


@workspace_view(Role.MANAGER)
@require_POST
def invitation_create(request: WorkspaceRequest) -> HttpResponse:
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role and a valid email address.")
        return redirect("member_list")
    workspace = request.workspace
    try:
        token = do_invite(workspace, request.member, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("member_list")
    link = request.build_absolute_uri(reverse("invitation_accept", args=[token]))
    email = form.cleaned_data["email"]
    if email:
        if send_invitation(workspace, request.user, email, link, form.cleaned_data["role"]):
            messages.success(request, f"The invitation was emailed to {email}.")
        else:
            messages.error(request, f"The email to {email} could not be sent; send the link below.")
    # Shown once: only the token's hash is stored.
    request.session["new_invitation_link"] = link
    return redirect("member_list")


@workspace_view(Role.MANAGER)
@require_POST
def invitation_revoke(request: WorkspaceRequest, pk: int) -> HttpResponse:
    do_revoke_invitation(access_object(request, Invitation, pk), request.user)
    messages.success(request, "Invitation revoked.")
    return redirect("member_list")


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    guesses = throttle.address_key("invite", request)
    if wait := throttle.blocked_for(guesses):
        return throttled(request, wait, "invitation links")
    invitation = find_invitation(token)
    if invitation is None:
        throttle.record_failure(guesses, throttle.LINK)
        return render(request, "core/invitation_invalid.html", status=404)
    form = bind(request, SignUpForm)
    context = {"invitation": invitation, "form": form, "title": f"Join {invitation.workspace}"}
    if request.method != "POST":
        return render(request, "core/invitation_accept.html", context)
    signed_in = request.user.is_authenticated
    if not signed_in and not form.is_valid():
        return refused(request, form)
    try:
        member = do_accept_invitation(
            invitation, request.user if signed_in else None, new_user=form.save
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("home")
    if not signed_in:
        login(request, member.user, backend="django.contrib.auth.backends.ModelBackend")
    request.session["workspace_id"] = member.workspace_id
    messages.success(request, f"Welcome to {member.workspace.name}.")
    return redirect("inbox")


@workspace_view(Role.VIEWER)
def authority_edit(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    if request.method == "POST":
        check_role(request, Role.OWNER)
        values = {}
        for key, rule in AUTHORITY_RULES.items():
            for role in Role.values:
                raw = request.POST.get(f"{role}.{key}", "false" if rule.kind is bool else "")
                values[(role, key)] = raw
        try:
            changed = do_set_authority(workspace, request.user, values)
        except (ValueError, ValidationError):
            # Nothing was saved (one transaction); back by GET, so a reload posts nothing.
            messages.error(request, "Each amount must be a whole number of zero or more.")
        else:
            messages.success(request, f"Authority saved ({changed} change{'s' * (changed != 1)}).")
        return redirect("authority")
    table = Authority.table(workspace)
    rows = [
        {"rule": rule, "cells": [(role, label, table[key][role]) for role, label in Role.choices]}
        for key, rule in AUTHORITY_RULES.items()
    ]
    return _settings_page(
        request,
        "core/settings_authority.html",
        "authority",
        rows=rows,
        roles=Role.choices,
        can_edit=request.member.can(Role.OWNER),
    )


def setup_owner(request: HttpRequest, token: str) -> HttpResponse:
    """Create the first owner and their first workspace from the one-time setup link."""
    guesses = throttle.address_key("setup", request)
    if wait := throttle.blocked_for(guesses):
        return throttled(request, wait, "setup links")
    if not check_setup_token(token):
        throttle.record_failure(guesses, throttle.LINK)
        raise Http404("This setup link is no longer valid.")
    form = bind(request, SignUpForm)
    ws_form = bind(request, WorkspaceForm, prefix="ws")
    if request.method == "POST":
        if form.is_valid() and ws_form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    user = do_create_owner(data["username"], data["email"], data["password1"])
                    workspace = do_create_workspace(user, **ws_form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                request.session["workspace_id"] = workspace.pk
                return redirect("inbox")
        return refused(request, form, ws_form)
    return render(request, "core/setup.html", {"form": form, "ws_form": ws_form, "title": "Set up"})
