"""A daily count of each connected account's followers, from its connector's ``metrics()``.

Networks give today's count only, so the history is what Harken wrote down each day;
an account whose network cannot count, or that fails today, simply has no row today
(the figures carry the last known count forward)."""

from __future__ import annotations

import logging

from django.utils import timezone

from harken.analytics.days import zone_of
from harken.analytics.models import AccountSnapshot
from harken.networks.base import ConnectorError
from harken.networks.models import Account
from harken.networks.registry import connector_class, connector_for

log = logging.getLogger(__name__)


def snapshot(account: Account) -> AccountSnapshot | None:
    """Ask the network for the account's counts and keep them as today's snapshot."""
    try:
        if "metrics" not in connector_class(account.network).capabilities:
            return None
        metrics = connector_for(account).metrics()
    except (ConnectorError, NotImplementedError, KeyError) as exc:
        log.info("No metrics for account %s today: %s", account.pk, exc)
        return None
    day = timezone.now().astimezone(zone_of(account.workspace)).date()
    row, _ = AccountSnapshot.objects.update_or_create(
        account=account,
        day=day,
        defaults={
            "workspace_id": account.workspace_id,
            "followers": metrics.followers,
            "following": metrics.following,
            "posts": metrics.posts,
        },
    )
    return row


def snapshot_all() -> int:
    """Snapshot every connected account; returns how many were counted."""
    taken = 0
    for account in Account.objects.filter(status=Account.Status.ACTIVE).select_related("workspace"):
        taken += snapshot(account) is not None
    return taken
