"""The connected accounts, for the calendar's page-to-come (see ``harken.core.sections``)."""

from __future__ import annotations

from typing import Any

from harken.core.models import Workspace
from harken.networks.models import Account
from harken.networks.registry import network_label


def calendar(workspace: Workspace) -> dict[str, Any]:
    """The accounts that posts could go to, by network."""
    accounts = Account.objects.filter(workspace=workspace).exclude(status=Account.Status.DISABLED)
    return {
        "accounts": [
            {"handle": a.handle, "network": network_label(a.network), "status": a.status}
            for a in accounts.order_by("network", "handle")[:20]
        ]
    }
