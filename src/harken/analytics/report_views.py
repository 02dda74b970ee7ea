"""The "Reports" page: the report for a period shown as it will be sent, its PDF, "Send me
this report", the schedule (a manager's) and each member's own opt-in."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages as flash
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse

from harken.analytics.models import ReportSchedule
from harken.analytics.periods import COMPARISONS, RANGES, Period, scope_from, today_in
from harken.analytics.reports.build import build
from harken.analytics.reports.periods import last_complete, month, week
from harken.analytics.reports.render import email
from harken.analytics.reports.render import pdf as render_pdf
from harken.analytics.views import AREAS
from harken.core.access import WorkspaceRequest, workspace_view
from harken.core.models import Role
from harken.core.refused import bind, refused

AREA = "report"


class ScheduleForm(forms.Form):
    cadence = forms.ChoiceField(choices=ReportSchedule.Cadence.choices)


def _period(request: WorkspaceRequest) -> tuple[Period, str]:
    """The month or week asked for (``month=2026-10``, ``week=2026-W40``), else last month."""
    try:
        if request.GET.get("week"):
            return week(request.GET["week"][:10]), "weekly"
        if request.GET.get("month"):
            return month(request.GET["month"][:7]), "monthly"
    except ValueError:
        flash.warning(
            request, "A month is read as YYYY-MM, a week as YYYY-Www; showing last month."
        )
    return last_complete("monthly", today_in(request.workspace)), "monthly"


def _schedule(request: WorkspaceRequest) -> ReportSchedule:
    return ReportSchedule.objects.get_or_create(workspace=request.workspace)[0]


@workspace_view()
def page(request: WorkspaceRequest) -> HttpResponse:
    period, cadence = _period(request)
    report = build(request.workspace, period, cadence)
    schedule = _schedule(request)
    # The tabs keep the dashboard's default period (a report's month is not a range).
    scope = scope_from(request.workspace, QueryDict())
    query = request.GET.urlencode()
    context = {
        "section": "analytics",
        "title": "Analytics · Reports",
        "area": AREA,
        "areas": [(key, name) for key, (name, _) in AREAS.items()],
        "scope": scope,
        "query": scope.query(),
        "ranges": RANGES,
        "comparisons": COMPARISONS,
        "report": report,
        "period_query": query,
        "month_value": f"{period.first:%Y-%m}",
        "schedule": schedule,
        "form": bind(request, ScheduleForm, initial={"cadence": schedule.cadence}),
        "opted_in": schedule.recipients.filter(pk=request.member.user_id).exists(),
        "may_schedule": request.member.can(Role.MANAGER),
    }
    return render(request, "analytics/report.html", context)


@workspace_view()
def pdf(request: WorkspaceRequest) -> HttpResponse:
    period, cadence = _period(request)
    report = build(request.workspace, period, cadence)
    response = HttpResponse(render_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    return response


@workspace_view()
def send_me(request: WorkspaceRequest) -> HttpResponse:
    """E-mail the report on the page to the person who asked, now."""
    back = reverse("analytics_report") + ("?" + request.GET.urlencode() if request.GET else "")
    if request.method != "POST":
        return redirect(back)
    if not request.member.user.email:
        flash.error(request, "Your account has no e-mail address: add one to receive reports.")
        return redirect(back)
    period, cadence = _period(request)
    report = build(request.workspace, period, cadence)
    email(report, [request.member.user.email], link=settings.BASE_URL + reverse("analytics")).send()
    flash.success(request, f"The report for {period} is on its way to {request.member.user.email}.")
    return redirect(back)


@workspace_view()
def schedule(request: WorkspaceRequest) -> HttpResponse:
    """A member opts in or out; a manager also sets how often the report goes out."""
    if request.method != "POST":
        return redirect("analytics_report")
    current = _schedule(request)
    if "cadence" in request.POST:
        if not request.member.can(Role.MANAGER):
            flash.error(request, "Only a manager sets how often the report goes out.")
            return redirect("analytics_report")
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            return refused(request, form)
        current.cadence = form.cleaned_data["cadence"]
        current.save(update_fields=["cadence"])
        flash.success(request, f"The report goes out: {current.get_cadence_display().lower()}.")
    if request.POST.get("opt") == "in":
        current.recipients.add(request.member.user)
        flash.success(request, "You will receive the report by e-mail.")
    elif request.POST.get("opt") == "out":
        current.recipients.remove(request.member.user)
        flash.success(request, "You will no longer receive the report.")
    return redirect("analytics_report")
