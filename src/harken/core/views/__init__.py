from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from harken.core.access import WorkspaceRequest, workspace_view
from harken.core.sections import section_facts

SECTIONS = {
    "inbox": "Inbox",
    "listening": "Listening",
}


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect("inbox")


@workspace_view()
def section(request: WorkspaceRequest, section: str) -> HttpResponse:
    """A section whose capability has not arrived yet: what Harken holds for it, and what comes."""
    workspace = request.workspace
    return render(
        request,
        f"core/empty_{section}.html",
        {"section": section, "title": SECTIONS[section], **section_facts(section, workspace)},
    )
