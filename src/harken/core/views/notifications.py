"""Settings › Notifications: each member's own address, phone push and kinds."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from harken.core.access import WorkspaceRequest, workspace_view
from harken.core.actions import audit
from harken.core.models import Notification, Role
from harken.core.notify import send_test, settings_for
from harken.core.notify_forms import NotificationForm
from harken.core.refused import bind, refused

RECENT = 20


@workspace_view(Role.VIEWER)
def notification_settings(request: WorkspaceRequest) -> HttpResponse:
    current = settings_for(request.member)
    form = bind(request, NotificationForm, current=current)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            audit(request.workspace, request.user, "notifications.settings", request.member)
            messages.success(request, "Notification settings saved.")
            return redirect("notification_settings")
        return refused(request, form)
    recent = (
        Notification.objects.filter(member=request.member)
        .prefetch_related("deliveries")
        .order_by("-created", "-id")[:RECENT]
    )
    context = {
        "title": "Settings",
        "section": "settings",
        "tab": "notifications",
        "form": form,
        "recent": recent,
    }
    return render(request, "core/settings_notifications.html", context)


@require_POST
@workspace_view(Role.VIEWER)
def notification_test(request: WorkspaceRequest) -> HttpResponse:
    """Send a test now; the Recent list shows how each channel fared."""
    made = send_test(request.member)
    channels = made.deliveries.count() if made else 0
    if channels:
        messages.success(request, "Test sent; see below how each channel fared.")
    else:
        messages.error(request, "Nothing to send to: switch on e-mail or set an ntfy topic first.")
    return redirect("notification_settings")
