from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from harken.core.access import memberships


def workspace(request: HttpRequest) -> dict[str, Any]:
    member = getattr(request, "member", None)
    if member is None:
        return {"member": None, "workspace": None, "my_memberships": []}
    return {
        "member": member,
        "workspace": member.workspace,
        "my_memberships": list(memberships(request.user)),
    }
