"""The business's own events (a vendor's promotion, an anniversary, a sale) and the
calendar's settings (which country's holidays, the seasons, the member's feed)."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.contrib import messages as flash
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from harken.core.access import WorkspaceRequest, access_object, check_role, scoped, workspace_view
from harken.core.actions import audit
from harken.core.models import Role
from harken.core.refused import bind, refused
from harken.publishing.calendar.events import settings_for
from harken.publishing.calendar.forms import EventForm, SettingsForm
from harken.publishing.calendar.views import compose_url, publishing_tabs, today_in
from harken.publishing.models import CalendarSettings, Event, FeedToken


def plan_url(event: Event, zone: ZoneInfo) -> str:
    """The composer, prefilled for a post on the event's first day (10:00 local)."""
    at = datetime.combine(event.starts, time(10, 0), tzinfo=zone)
    return compose_url(at=at, text=event.title, event=event.pk)


@workspace_view()
def event_list(request: WorkspaceRequest) -> HttpResponse:
    """The events ahead, and the form that adds one (a responder or above)."""
    if request.method == "POST":
        check_role(request, Role.RESPONDER)
        return event_create(request)
    zone = ZoneInfo(request.workspace.time_zone)
    today = today_in(zone)
    events = scoped(request, Event).exclude(starts__lt=today, ends__isnull=True)
    events = events.exclude(ends__lt=today)
    form = bind(request, EventForm)
    return render(
        request,
        "publishing/calendar/events.html",
        {
            "section": "calendar",
            "title": "Events",
            "tabs": publishing_tabs(""),
            "events": [(e, plan_url(e, zone)) for e in events],
            "form": form,
            "can_plan": request.member.can(Role.RESPONDER),
        },
    )


def event_create(request: WorkspaceRequest) -> HttpResponse:
    form = bind(request, EventForm)
    if not form.is_valid():
        return refused(request, form)
    event = form.save(commit=False)
    event.workspace = request.workspace
    event.save()
    audit(request.workspace, request.user, "event.create", event)
    flash.success(request, f"Added {event.title} to the calendar.")
    return redirect(reverse("calendar") + f"?view=month&date={event.starts:%Y-%m-%d}")


@workspace_view()
def event_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    event = access_object(request, Event, pk)
    form = bind(request, EventForm, instance=event)
    if request.method == "POST":
        check_role(request, Role.RESPONDER)
        if "delete" in request.POST:
            event.delete()
            audit(request.workspace, request.user, "event.delete", event)
            flash.success(request, f"Removed {event.title} from the calendar.")
            return redirect("calendar_events")
        if not form.is_valid():
            return refused(request, form)
        saved = form.save(commit=False)
        if "starts" in form.changed_data or "remind_days" in form.changed_data:
            saved.reminded_at = None  # a new date deserves a new reminder
        saved.save()
        audit(request.workspace, request.user, "event.update", saved)
        flash.success(request, "Saved.")
        return redirect("calendar_event", pk=event.pk)
    return render(
        request,
        "publishing/calendar/event.html",
        {
            "section": "calendar",
            "title": event.title,
            "event": event,
            "form": form,
            "plan_url": plan_url(event, ZoneInfo(request.workspace.time_zone)),
            "can_plan": request.member.can(Role.RESPONDER),
        },
    )


@workspace_view()
def calendar_settings(request: WorkspaceRequest) -> HttpResponse:
    """Holidays and seasons (managers change them); every member's own feed URL."""
    current = settings_for(request.workspace)
    form = bind(request, SettingsForm, instance=current)
    if request.method == "POST":
        check_role(request, Role.MANAGER)
        if not form.is_valid():
            return refused(request, form)
        CalendarSettings.objects.update_or_create(
            workspace=request.workspace,
            defaults={k: form.cleaned_data[k] for k in ("country", "subdivision", "show_seasons")},
        )
        audit(request.workspace, request.user, "calendar.settings", request.workspace)
        flash.success(request, "Saved the calendar settings.")
        return redirect("calendar_settings")
    new_token = request.session.pop("calendar_feed_token", None)
    return render(
        request,
        "publishing/calendar/settings.html",
        {
            "section": "calendar",
            "title": "Calendar settings",
            "tabs": publishing_tabs(""),
            "form": form,
            "saved": CalendarSettings.objects.filter(workspace=request.workspace).exists(),
            "can_manage": request.member.can(Role.MANAGER),
            "has_feed": FeedToken.objects.filter(member=request.member).exists(),
            "feed_url": request.build_absolute_uri(reverse("calendar_feed", args=[new_token]))
            if new_token
            else "",
        },
    )


@require_POST
@workspace_view()
def feed_token(request: WorkspaceRequest) -> HttpResponse:
    """Make the member a new private feed URL (the old one stops working), or revoke it."""
    if "revoke" in request.POST:
        FeedToken.objects.filter(member=request.member).delete()
        audit(request.workspace, request.user, "calendar.feed_revoke", request.member)
        flash.success(request, "Your calendar feed URL no longer works.")
    else:
        request.session["calendar_feed_token"] = FeedToken.issue(request.member)
        audit(request.workspace, request.user, "calendar.feed_issue", request.member)
    return redirect("calendar_settings")
