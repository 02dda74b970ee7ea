from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from harken.core.access import workspace_view

SECTIONS = {
    "inbox": "Inbox",
    "listening": "Listening",
    "calendar": "Calendar",
    "analytics": "Analytics",
}


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect("inbox")


@workspace_view()
def section(request: HttpRequest, section: str) -> HttpResponse:
    """A section whose capability has not arrived yet: an empty state that explains it."""
    return render(
        request,
        f"core/empty_{section}.html",
        {"section": section, "title": SECTIONS[section]},
    )
