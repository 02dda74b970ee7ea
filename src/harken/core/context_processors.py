from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from harken.core.access import memberships

#: The app shell's sections: URL name (also the icon's name) and label, in rail order.
SECTIONS = (
    ("inbox", "Inbox"),
    ("listening", "Listening"),
    ("calendar", "Calendar"),
    ("analytics", "Analytics"),
    ("settings", "Settings"),
)


def workspace(request: HttpRequest) -> dict[str, Any]:
    member = getattr(request, "member", None)
    if member is None:
        return {"member": None, "workspace": None, "my_memberships": [], "shell_sections": ()}
    return {
        "member": member,
        "workspace": member.workspace,
        # A queryset, not a list: a partial (htmx) that never shows the switcher costs no query.
        "my_memberships": memberships(request.user),
        "shell_sections": SECTIONS,
    }
