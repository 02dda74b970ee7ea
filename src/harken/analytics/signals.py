"""What analytics does when a lower app's row changes (connected in ``apps.ready``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from harken.core.models import Workspace


def refill_on_new_time_zone(sender: Any, instance: Workspace, **kwargs: Any) -> None:
    """A workspace whose time zone changes gets every day rolled up again, once the change
    is committed (by the queue: a year of days takes a while)."""
    if instance.pk is None or kwargs.get("raw"):
        return
    before = Workspace.objects.filter(pk=instance.pk).values_list("time_zone", flat=True).first()
    if before is None or before == instance.time_zone:
        return
    from harken.analytics.tasks import back_fill

    workspace_id = instance.pk
    transaction.on_commit(lambda: back_fill(workspace_id))
