"""The bell in the app shell: what Harken told this member, unread first to the eye.

It reads the same ``Notification`` rows that ``harken.core.notify`` writes for e-mail and
ntfy (unique per event), so the bell never shows one event twice. Kinds the member switched
off on the settings page stay out of it too. The count is a small fragment the shell
polls with htmx, so no page pays a query for it when it renders.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from harken.core.access import WorkspaceRequest, workspace_view
from harken.core.models import Member, Notification, Role
from harken.core.notify import settings_for

SHOWN = 50


def told(member: Member) -> QuerySet[Notification]:
    """The notifications the bell shows this member, newest first."""
    off = settings_for(member).off or []
    return (
        Notification.objects.filter(member=member).exclude(kind__in=off).order_by("-created", "-id")
    )


#: htmx stops polling on this status: a signed-out page must not swap the login form
#: into the bell (a redirect to it would be followed and drawn there).
STOP_POLLING = 286


def bell(request: HttpRequest) -> HttpResponse:
    """The count of unread notifications, polled by the shell."""
    member = getattr(request, "member", None)
    if not request.user.is_authenticated or member is None:
        return HttpResponse("", status=STOP_POLLING)
    unread = told(member).filter(read_at__isnull=True).count()
    return render(request, "shell/_bell_count.html", {"unread": unread})


@workspace_view(Role.VIEWER)
def notification_list(request: WorkspaceRequest) -> HttpResponse:
    notes = list(told(request.member)[:SHOWN])
    context = {
        "title": "Notifications",
        "notes": notes,
        "unread": sum(1 for n in notes if n.read_at is None),
    }
    return render(request, "core/notifications.html", context)


@require_POST
@workspace_view(Role.VIEWER)
def notification_open(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Mark one read and go where it points (a path inside Harken, or back to the list)."""
    note = get_object_or_404(Notification, pk=pk, member=request.member)
    Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=timezone.now())
    if request.POST.get("go") and note.url:
        return redirect(note.url)  # ``notify`` keeps only paths that start with one "/"
    return redirect("notification_list")


@require_POST
@workspace_view(Role.VIEWER)
def notifications_read(request: WorkspaceRequest) -> HttpResponse:
    Notification.objects.filter(member=request.member, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("notification_list")
