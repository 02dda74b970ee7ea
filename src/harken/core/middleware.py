from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from harken.core.access import current_member


class CurrentWorkspaceMiddleware:
    """Set ``request.member`` and ``request.workspace`` from the session's chosen workspace."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/health":
            # Monitors must get the health answer (503 JSON) even when the database,
            # which the membership lookup needs, is down.
            request.member = request.workspace = None  # type: ignore[attr-defined]
            return self.get_response(request)
        member = current_member(request)
        request.member = member  # type: ignore[attr-defined]
        request.workspace = member.workspace if member else None  # type: ignore[attr-defined]
        return self.get_response(request)


class WorkspaceTimezoneMiddleware:
    """Show times in the current workspace's time zone, and read dates typed into forms in it.

    Runs after ``CurrentWorkspaceMiddleware``. Without a workspace (signed out, no membership)
    the default ``TIME_ZONE`` applies. The zone is deactivated after each request so a
    thread serving the next one starts clean.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        workspace = getattr(request, "workspace", None)
        zone = _zone(workspace.time_zone) if workspace is not None else None
        if zone is None:
            timezone.deactivate()
            return self.get_response(request)
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def _zone(name: str) -> zoneinfo.ZoneInfo | None:
    # The field is validated on save, but a zone can leave the system's tz database.
    try:
        return zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class NoStoreWhenSignedInMiddleware:
    """Pages for a signed-in person are never stored by the browser or a proxy: after
    logging out, Back must not show the inbox, and a shared machine keeps no copy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response  # the view decided (and /health must not load the session)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
