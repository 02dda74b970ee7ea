"""Settings › Assignment (managers): the ordered rules that hand out new conversations,
and a button to run them again over the unassigned conversations."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from harken.core.access import WorkspaceRequest, access_object, scoped, workspace_view
from harken.core.actions import audit
from harken.core.models import Member, Role
from harken.core.refused import bind, refused
from harken.inbox.assignment import do_reroute
from harken.inbox.assignment_forms import RuleForm
from harken.inbox.models import AssignmentRule


def _page(
    request: WorkspaceRequest, form: RuleForm, editing: AssignmentRule | None
) -> HttpResponse:
    rules = (
        scoped(request, AssignmentRule)
        .select_related("assignee", "account", "topic")
        .prefetch_related("rotation")
    )
    members = Member.objects.filter(workspace=request.workspace).select_related("user")
    context = {
        "section": "settings",
        "tab": "rules",
        "title": "Assignment",
        "rules": rules,
        "form": form,
        "editing": editing,
        "members": members.order_by("user__username"),
    }
    return render(request, "inbox/rules.html", context)


def _save(request: WorkspaceRequest, editing: AssignmentRule | None) -> HttpResponse:
    form = bind(request, RuleForm, instance=editing, workspace=request.workspace)
    if request.method != "POST":
        return _page(request, form, editing)
    if not form.is_valid():
        return refused(request, form)
    rule = form.save()
    audit(request.workspace, request.user, "assignment.rule_save", rule, created=editing is None)
    flash.success(request, f"Saved the rule “{rule.name}”.")
    return redirect("inbox_rules")


@workspace_view(Role.MANAGER)
def rules(request: WorkspaceRequest) -> HttpResponse:
    return _save(request, None)


@workspace_view(Role.MANAGER)
def rule_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    return _save(request, access_object(request, AssignmentRule, pk))


@require_POST
@workspace_view(Role.MANAGER)
def rule_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    rule = access_object(request, AssignmentRule, pk)
    audit(request.workspace, request.user, "assignment.rule_delete", rule)
    rule.delete()
    flash.success(request, f"Deleted the rule “{rule.name}”.")
    return redirect("inbox_rules")


@require_POST
@workspace_view(Role.MANAGER)
def rerun(request: WorkspaceRequest) -> HttpResponse:
    done = do_reroute(request.member)
    flash.success(request, f"The rules assigned {done} conversation{'s' if done != 1 else ''}.")
    return redirect("inbox_rules")


@require_POST
@workspace_view(Role.MANAGER)
def availability(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """A manager marks a member away (or back): turns skip them until they return."""
    member = access_object(request, Member, pk)
    member.available = request.POST.get("available") == "on"
    member.save(update_fields=["available"])
    state = "available" if member.available else "away"
    audit(request.workspace, request.user, "member.availability", member, available=state)
    flash.success(request, f"{member.user.get_username()} is {state}.")
    return redirect("inbox_rules")
