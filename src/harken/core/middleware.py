from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from harken.core.access import current_member


class CurrentWorkspaceMiddleware:
    """Set ``request.member`` and ``request.workspace`` from the session's chosen workspace."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        member = current_member(request)
        request.member = member  # type: ignore[attr-defined]
        request.workspace = member.workspace if member else None  # type: ignore[attr-defined]
        return self.get_response(request)
