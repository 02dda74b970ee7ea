"""Recurring series: list, create, edit (which updates the future occurrences nobody
edited). The occurrences themselves are posts on the calendar."""

from __future__ import annotations

from django.contrib import messages as flash
from django.db.models import Count, Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from harken.core.access import WorkspaceRequest, access_object, check_role, scoped, workspace_view
from harken.core.actions import audit
from harken.core.models import Role
from harken.core.refused import bind, refused
from harken.publishing.calendar.forms import SeriesForm
from harken.publishing.calendar.series import do_update_series, materialise
from harken.publishing.calendar.views import publishing_tabs
from harken.publishing.models import Post, Series, Variant
from harken.publishing.states import State

#: States whose post has gone out (or is going): deleting a series keeps those.
GONE = [State.PUBLISHING, State.PUBLISHED]


@workspace_view()
def series_list(request: WorkspaceRequest) -> HttpResponse:
    form = bind(request, SeriesForm, workspace=request.workspace)
    if request.method == "POST":
        check_role(request, Role.RESPONDER)
        if not form.is_valid():
            return refused(request, form)
        series = form.save(commit=False)
        series.workspace, series.author = request.workspace, request.member
        series.save()
        form.save_m2m()
        made = materialise(series)
        audit(request.workspace, request.user, "series.create", series)
        flash.success(request, f"{series.title}: {made} posts planned for the next 60 days.")
        return redirect("calendar_series")
    rows = (
        scoped(request, Series)
        .prefetch_related("accounts")
        .annotate(ahead=Count("occurrences"))
        .order_by("title")
    )
    return render(
        request,
        "publishing/calendar/series.html",
        {
            "section": "calendar",
            "title": "Recurring series",
            "tabs": publishing_tabs(""),
            "rows": rows,
            "form": form,
            "can_plan": request.member.can(Role.RESPONDER),
        },
    )


@workspace_view()
def series_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    series = access_object(request, Series, pk)
    form = bind(request, SeriesForm, instance=series, workspace=request.workspace)
    if request.method == "POST":
        check_role(request, Role.RESPONDER)
        if "delete" in request.POST:
            _delete_future(series)
            series.delete()
            audit(request.workspace, request.user, "series.delete", series)
            flash.success(request, "Deleted the series and its posts that had not gone out.")
            return redirect("calendar_series")
        old = {"text": series.text}
        if not form.is_valid():
            return refused(request, form)
        saved = form.save()
        ahead = do_update_series(saved, old)
        audit(request.workspace, request.user, "series.update", saved)
        flash.success(request, f"Saved; {ahead} posts ahead follow the series.")
        return redirect("calendar_series_detail", pk=series.pk)
    upcoming = series.occurrences.filter(at__gte=timezone.now()).select_related("post")[:12]
    return render(
        request,
        "publishing/calendar/series_detail.html",
        {
            "section": "calendar",
            "title": series.title,
            "series": series,
            "form": form,
            "upcoming": upcoming,
            "can_plan": request.member.can(Role.RESPONDER),
        },
    )


def _delete_future(series: Series) -> None:
    """The series' posts that nothing of has gone out go with it; the others stay."""
    gone = Variant.objects.filter(post=OuterRef("post"), state__in=GONE)
    posts = series.occurrences.filter(detached=False).exclude(Exists(gone))
    Post.objects.filter(pk__in=list(posts.values_list("post_id", flat=True))).delete()
