"""The sample workspace of `harken demo`.

Core creates the workspace; each app that has a ``demo`` module with ``fill(workspace)``
adds its part, in INSTALLED_APPS order, so every capability extends the demo.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction

from harken.core.actions import audit
from harken.core.models import AuditEntry, Authority, Member, Role, Workspace

SAMPLE_NAME = "Sample: Harbor Street Jewelers"
SAMPLE_SLUG = "sample-harbor-street-jewelers"


def demo_fillers() -> list[tuple[str, Callable[[Workspace], object]]]:
    fillers = []
    for config in apps.get_app_configs():
        if not config.name.startswith("harken.") or config.name == "harken.core":
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        fillers.append((config.label, module.fill))
    return fillers


def sample_workspace() -> Workspace | None:
    return Workspace.objects.filter(slug=SAMPLE_SLUG, is_sample=True).first()


def people_changes(workspace: Workspace) -> list[str]:
    """What people did to the sample workspace since the demo filled it, one line each:
    members who joined it other than the owners the demo adds, and every audited change
    made by someone (the demo's own changes have no actor)."""
    filled = (
        AuditEntry.objects.filter(workspace=workspace, action="demo.fill")
        .values_list("created", flat=True)
        .first()
    )
    joined = Member.objects.filter(workspace=workspace).select_related("user")
    if filled:  # the owners the demo made
        joined = joined.exclude(created__lte=filled)
    # An owner `harken createowner` added later: every fill adds them again.
    joined = joined.exclude(user__is_staff=True, role=Role.OWNER)
    lines = [f"{m.user} joined as {m.get_role_display().lower()}" for m in joined]
    entries = (
        AuditEntry.objects.filter(workspace=workspace, actor__isnull=False)
        .select_related("actor")
        .order_by("created")
    )
    lines += [
        f"{e.actor}: {e.action.replace('.', ' ').replace('_', ' ')} {e.target}".rstrip()
        for e in entries
    ]
    return lines


@transaction.atomic
def do_fill_demo(owners: list | None = None) -> Workspace:
    """(Re)create the sample workspace and let every app fill its part."""
    Workspace.objects.filter(slug=SAMPLE_SLUG, is_sample=True).delete()
    workspace = Workspace.objects.create(
        name=SAMPLE_NAME, slug=SAMPLE_SLUG, time_zone="America/New_York", is_sample=True
    )
    if owners is None:
        owners = list(get_user_model().objects.filter(is_staff=True))
    for user in owners:
        Member.objects.create(workspace=workspace, user=user, role=Role.OWNER)
    Authority.objects.create(workspace=workspace, role=Role.RESPONDER, key="refund_limit", value=75)
    audit(workspace, None, "demo.fill", workspace)
    for _label, fill in demo_fillers():
        fill(workspace)
    return workspace
