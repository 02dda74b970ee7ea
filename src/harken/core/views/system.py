from __future__ import annotations

import platform
from datetime import timedelta

import django
import huey
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

import harken
from harken.core.access import WorkspaceRequest, scoped, workspace_view
from harken.core.models import AuditEntry, Heartbeat, Role
from harken.core.queuewatch import UNREACHABLE, queue_address

#: A consumer that has not beaten for this long is reported as down.
HEARTBEAT_STALE = timedelta(minutes=3)


def database_status() -> dict[str, object]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # any driver error means "down"; say which
        return {"ok": False, "vendor": connection.vendor, "error": exc.__class__.__name__}


def queue_status() -> dict[str, object]:
    from huey.contrib.djhuey import HUEY

    status: dict[str, object] = {
        "backend": HUEY.__class__.__name__,
        "where": queue_address(settings.REDIS_URL),
    }
    try:
        status["pending"] = HUEY.pending_count()
    except Exception as exc:  # the queue's storage is unreachable, or failing
        unreachable = isinstance(exc, UNREACHABLE)
        return {**status, "ok": False, "unreachable": unreachable, "error": type(exc).__name__}
    try:
        beat = Heartbeat.objects.order_by("-beat").first()
    except DatabaseError as exc:  # heartbeats live in the database, which is down
        return {**status, "ok": False, "error": exc.__class__.__name__}
    status["last_heartbeat"] = beat.beat.isoformat() if beat else None
    status["consumer_alive"] = bool(beat and timezone.now() - beat.beat < HEARTBEAT_STALE)
    status["ok"] = True
    return status


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and monitors: 200 when the database and queue answer."""
    db, queue = database_status(), queue_status()
    ok = bool(db["ok"] and queue["ok"])
    return JsonResponse(
        {"status": "ok" if ok else "error", "database": db, "queue": queue},
        status=200 if ok else 503,
    )


@workspace_view(Role.MANAGER)
def audit_log(request: WorkspaceRequest) -> HttpResponse:
    entries = scoped(request, AuditEntry).select_related("actor")[:200]
    return render(
        request,
        "core/settings_audit.html",
        {"entries": entries, "title": "Settings", "section": "settings", "tab": "audit"},
    )


@workspace_view(Role.VIEWER)
def system_status(request: WorkspaceRequest) -> HttpResponse:
    versions = {
        "Harken": harken.__version__,
        "Django": django.get_version(),
        "Huey": huey.__version__,
        "Python": platform.python_version(),
        "Database": f"{connection.vendor} {_db_version()}",
    }
    return render(
        request,
        "core/settings_system.html",
        {
            "title": "Settings",
            "section": "settings",
            "tab": "system",
            "database": database_status(),
            "queue": queue_status(),
            "heartbeats": Heartbeat.objects.order_by("-beat")[:10],
            "stale_after": HEARTBEAT_STALE,
            "versions": versions,
            "second_pass": _second_pass(request.workspace.pk),
        },
    )


def _db_version() -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0])


def _second_pass(workspace_id: int) -> dict[str, object]:
    """The sentiment second pass's backlog (imported on call: analysis is an app above core)."""
    from harken.analysis.second_pass import status

    return status(workspace_id)
