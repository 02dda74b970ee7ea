"""A sign-in that will end and cannot be renewed: its owners hear of it before.

Some networks' refresh tokens have a known end (TikTok's and Pinterest's a year after
the consent): past it, only connecting again helps. A connector that sees the end
within ``WARN_BEFORE`` calls ``warn_owners`` at each use; the workspace's owners get one
e-mail per end date (marked in the account's encrypted config, so two workers or two
polls send it once), and the account keeps working until the day.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any, cast

from django.core.mail import send_mail
from django.db import transaction

log = logging.getLogger(__name__)
KEY = "expiry_warned"
#: How long before the end the owners are told.
WARN_BEFORE = 14 * 24 * 3600


def ends_soon(ends_at: Any, now: float | None = None) -> bool:
    """Whether ``ends_at`` (epoch seconds, or None: no known end) is within ``WARN_BEFORE``."""
    if not ends_at:
        return False
    return float(ends_at) - (time.time() if now is None else now) < WARN_BEFORE


def warn_owners(
    workspace_id: int | None, network: str, external_id: str, label: str, ends_at: float
) -> bool:
    """E-mail the owners of the workspace's account once for this end; True when sent."""
    from harken.core.models import Member, Role
    from harken.networks.models import Account

    if workspace_id is None:
        return False
    with transaction.atomic():
        account = (
            Account.objects.select_for_update()
            .filter(workspace_id=workspace_id, network=network, external_id=external_id)
            .first()
        )
        if account is None:
            return False
        config = dict(cast(dict[str, Any], account.config) or {})
        if config.get(KEY) == ends_at:
            return False
        config[KEY] = ends_at
        account.config = cast(Any, config)  # EncryptedJSONField holds a dict
        account.save(update_fields=["config"])
    owners = Member.objects.filter(workspace_id=workspace_id, role=Role.OWNER).select_related(
        "user"
    )
    recipients = sorted({m.user.email for m in owners if m.user.email})
    if not recipients:
        return False
    ends = datetime.fromtimestamp(ends_at, UTC)
    body = (
        f"{label}'s sign-in for {account.handle} ends on {ends:%-d %B %Y}, and {label} gives "
        "Harken no way to renew it past that day.\n\n"
        "Before then, open Settings › Accounts in Harken and connect the account again; "
        "otherwise Harken stops publishing to it and reading its figures on that day."
    )
    try:
        send_mail(
            f"Reconnect {account.handle} on {label} before {ends:%-d %B}", body, None, recipients
        )
    except Exception:  # noqa: BLE001 - SMTP may be down; the work goes on
        log.exception("Could not e-mail the owners of workspace %s", workspace_id)
        return False
    return True
