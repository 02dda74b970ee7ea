"""Import posts from CSV, export the calendar as CSV, and each member's private
iCalendar feed (no login: the URL's random token is the key, revocable)."""

from __future__ import annotations

import csv
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from harken.core.access import WorkspaceRequest, check_role, workspace_view
from harken.core.actions import audit
from harken.core.models import Role
from harken.core.refused import bind, refused
from harken.publishing.calendar import grid
from harken.publishing.calendar.bulk import COLUMNS, ImportRefused, do_import, export_rows
from harken.publishing.calendar.forms import ImportForm
from harken.publishing.calendar.ical import workspace_feed
from harken.publishing.calendar.views import publishing_tabs, today_in
from harken.publishing.models import FeedToken
from harken.publishing.models.calendar import hash_feed_token


@workspace_view()
def bulk(request: WorkspaceRequest) -> HttpResponse:
    """The import form (a responder or above) and the export links."""
    form = bind(request, ImportForm)
    errors = request.session.pop("calendar_import_errors", None)
    if request.method == "POST":
        check_role(request, Role.RESPONDER)
        if not form.is_valid():
            return refused(request, form)
        upload = form.cleaned_data["file"]
        try:
            posts = do_import(upload.read(), request.workspace, request.member)
        except ImportRefused as refusal:
            request.session["calendar_import_errors"] = refusal.errors
            flash.error(
                request, "Nothing was imported: fix the rows below and import the file again."
            )
            return redirect("calendar_bulk")
        audit(
            request.workspace, request.user, "calendar.import", request.workspace, posts=len(posts)
        )
        flash.success(request, f"Imported {len(posts)} posts.")
        return redirect("calendar")
    today = today_in(ZoneInfo(request.workspace.time_zone))
    return render(
        request,
        "publishing/calendar/bulk.html",
        {
            "section": "calendar",
            "title": "Import and export",
            "tabs": publishing_tabs(""),
            "form": form,
            "errors": errors,
            "columns": COLUMNS,
            "month": today.replace(day=1),
            "can_plan": request.member.can(Role.RESPONDER),
        },
    )


class Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
@workspace_view()
def export_csv(request: WorkspaceRequest) -> HttpResponse:
    """The chosen month (``?date=YYYY-MM-DD``, this month by default) as CSV."""
    zone = ZoneInfo(request.workspace.time_zone)
    anchor = grid.parse_anchor(request.GET.get("date"), today_in(zone)).replace(day=1)
    window = grid.window("month", anchor)
    last = window.next - timedelta(days=1)
    start, end = grid.bounds(anchor, last, zone)
    writer = csv.writer(Echo())
    response: HttpResponse = StreamingHttpResponse(  # type: ignore[assignment]
        (writer.writerow(row) for row in export_rows(request.workspace, start, end)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="calendar-{anchor:%Y-%m}.csv"'
    return response


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The member's private iCalendar feed. A revoked or unknown token is a 404, and a
    member who left the workspace (the row goes with them) has no feed either."""
    found = (
        FeedToken.objects.filter(token_hash=hash_feed_token(token))
        .select_related("member__workspace")
        .first()
    )
    if found is None:
        raise Http404("No such feed")
    body = workspace_feed(found.member.workspace, timezone.now(), request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
