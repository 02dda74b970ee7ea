"""Alert rule pages: list, create, edit, delete, a rule's events and deliveries, a test alert.

Every member reads the rules, their alerts and deliveries (the Alerts tab is everyone's);
managers and owners change them, test them and retry deliveries, checked on the server.
Every row is reached through ``harken.core.access``: another workspace's rule is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from harken.core.access import WorkspaceRequest, access_object, scoped, workspace_view
from harken.core.actions import audit
from harken.core.models import Role
from harken.core.refused import bind, refused
from harken.listening.alerts.delivery import do_retry_delivery, do_send_test
from harken.listening.alerts.forms import AlertRuleForm
from harken.listening.models import AlertEvent, AlertRule, Delivery

RECENT = 30


@workspace_view()
def alert_rule_list(request: WorkspaceRequest) -> HttpResponse:
    rules = (
        scoped(request, AlertRule)
        .select_related("topic")
        .prefetch_related("destinations")
        .annotate(failed=_count_failed(), last_event=_last_event())
    )
    context = {"rules": rules, "can_edit": _can_edit(request), "section": "listening"}
    return render(request, "listening/alert_rules.html", context)


def _can_edit(request: WorkspaceRequest) -> bool:
    return bool(request.member.can(Role.MANAGER))


def _count_failed() -> Coalesce:
    # Subqueries, not joins: two joined relations would multiply each other's counts.
    failed = (
        Delivery.objects.filter(destination__rule=OuterRef("pk"), status=Delivery.Status.FAILED)
        .order_by()
        .values("destination__rule")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(failed), 0)


def _last_event() -> Subquery:
    latest = AlertEvent.objects.filter(rule=OuterRef("pk")).order_by("-created").values("created")
    return Subquery(latest[:1])


@workspace_view(Role.MANAGER)
def alert_rule_create(request: WorkspaceRequest) -> HttpResponse:
    return _edit(request, AlertRule())


@workspace_view(Role.MANAGER)
def alert_rule_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    return _edit(request, access_object(request, AlertRule, pk))


def _edit(request: WorkspaceRequest, rule: AlertRule) -> HttpResponse:
    creating = rule.pk is None
    workspace = request.workspace
    form = bind(request, AlertRuleForm, instance=rule, workspace=workspace)
    if request.method == "POST":
        if not form.is_valid():
            # Back to this page by GET, errors kept: a reload never sends the form again.
            return refused(request, form)
        rule = form.save()
        audit(
            workspace,
            request.user,
            "alert_rule.create" if creating else "alert_rule.update",
            rule,
        )
        messages.success(request, f"Saved the rule “{rule.name}”.")
        return redirect("alert_rule_detail", rule.pk)
    context = {"form": form, "rule": rule, "creating": creating, "section": "listening"}
    return render(request, "listening/alert_rule_form.html", context)


@workspace_view()
def alert_rule_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    rule = access_object(request, AlertRule, pk)
    context = _detail_context(rule, can_edit=_can_edit(request))
    return render(request, "listening/alert_rule_detail.html", context)


def _detail_context(rule: AlertRule, can_edit: bool = True) -> dict:
    events = (
        AlertEvent.objects.filter(rule=rule)
        .select_related("mention__author")
        .prefetch_related("deliveries__destination")[:RECENT]
    )
    deliveries = (
        Delivery.objects.filter(destination__rule=rule)
        .select_related("destination", "event", "digest")
        .order_by("-created", "-id")[:RECENT]
    )
    return {
        "rule": rule,
        "thresholds": [_threshold(k, v) for k, v in (rule.params or {}).items()],
        "destinations": list(rule.destinations.all()),
        "events": events,
        "deliveries": deliveries,
        "failing": Delivery.objects.filter(destination__rule=rule, status="failed").count(),
        "can_edit": can_edit,
        "section": "listening",
    }


def _threshold(key: str, value: object) -> str:
    shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return f"{key.replace('_', ' ')}: {shown}"


@require_POST
@workspace_view(Role.MANAGER)
def alert_rule_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    rule = access_object(request, AlertRule, pk)
    audit(rule.workspace, request.user, "alert_rule.delete", rule)
    name = rule.name
    rule.delete()
    messages.success(request, f"Deleted the rule “{name}”.")
    return redirect("alert_rule_list")


@require_POST
@workspace_view(Role.MANAGER)
def alert_rule_test(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Send a test alert now to every destination; the outcome shows in the deliveries."""
    rule = access_object(request, AlertRule, pk)
    sent = do_send_test(rule, request.user)
    if request.htmx:
        return render(request, "listening/_alert_deliveries.html", _detail_context(rule))
    failed = [d for d in sent if d.status != Delivery.Status.SENT]
    if not sent:
        messages.error(request, "This rule has no destinations to test.")
    elif failed:
        messages.error(
            request, f"{len(failed)} of {len(sent)} test deliveries failed: {failed[0].last_error}"
        )
    else:
        messages.success(request, f"Sent a test alert to {len(sent)} destination(s).")
    return redirect("alert_rule_detail", rule.pk)


@require_POST
@workspace_view(Role.MANAGER)
def alert_delivery_retry(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Try a failed delivery again now, e.g. after fixing the webhook URL."""
    delivery = access_object(request, Delivery, pk)
    delivery = do_retry_delivery(delivery, request.user)
    rule = delivery.destination.rule
    if request.htmx:
        return render(request, "listening/_alert_deliveries.html", _detail_context(rule))
    if delivery.status == Delivery.Status.SENT:
        messages.success(request, "Delivered.")
    else:
        messages.error(request, f"Still failing: {delivery.last_error}")
    return redirect("alert_rule_detail", rule.pk)
