"""Pages show times in the current workspace's time zone, chosen per request."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from harken.core.middleware import WorkspaceTimezoneMiddleware
from harken.listening.models import Source
from harken.listening.pipeline import ingest
from tests.listening.helpers import START, item

pytestmark = pytest.mark.django_db


def zone_seen_by_the_view(workspace) -> str:
    seen: list[str] = []

    def view(request) -> HttpResponse:
        seen.append(timezone.get_current_timezone_name())
        return HttpResponse("")

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    request.workspace = workspace
    WorkspaceTimezoneMiddleware(view)(request)
    return seen[0]


def test_the_workspaces_zone_is_active_during_the_request_and_only_then(workspace, settings):
    workspace.time_zone = "Asia/Kolkata"
    assert zone_seen_by_the_view(workspace) == "Asia/Kolkata"
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE


def test_without_a_workspace_the_default_zone_applies(settings):
    settings.TIME_ZONE = "Europe/Paris"
    assert zone_seen_by_the_view(None) == "Europe/Paris"


def test_a_zone_gone_from_the_system_falls_back_to_the_default(workspace, settings):
    workspace.time_zone = "Mars/Olympus_Mons"
    assert zone_seen_by_the_view(workspace) == settings.TIME_ZONE


def test_it_runs_after_the_workspace_is_chosen(settings):
    order = settings.MIDDLEWARE
    chosen = order.index("harken.core.middleware.CurrentWorkspaceMiddleware")
    assert order.index("harken.core.middleware.WorkspaceTimezoneMiddleware") == chosen + 1


def test_a_page_shows_times_in_the_workspaces_zone(alice_client, workspace):
    workspace.time_zone = "Asia/Kolkata"
    workspace.save(update_fields=["time_zone"])
    source = Source.objects.create(workspace=workspace, name="S", kind="search", network="x")
    ingest(source, [item("1", created=START)])  # 09:00 UTC is 14:30 in Kolkata
    page = alice_client.get("/listening/").content.decode()
    assert 'datetime="2026-11-20T14:30:00+05:30"' in page
    assert timezone.get_current_timezone_name() == "UTC"  # nothing leaks past the request
