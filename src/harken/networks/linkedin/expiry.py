"""A LinkedIn page whose token cannot be renewed (no refresh token: LinkedIn grants them
only to some apps) stops working 60 days after it was connected. A week before, its
owners get one e-mail saying so, marked in the account's config so it goes once."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any, cast

from django.core.mail import send_mail
from django.db import transaction

log = logging.getLogger(__name__)
KEY = "expiry_warned"


def warn_owners(workspace_id: int | None, organization: str, expires_at: float) -> bool:
    """E-mail the owners of the workspace's page ``organization`` once; True when sent."""
    from harken.core.models import Member, Role
    from harken.networks.models import Account

    if workspace_id is None:
        return False
    with transaction.atomic():
        account = (
            Account.objects.select_for_update()
            .filter(workspace_id=workspace_id, network="linkedin", external_id=organization)
            .first()
        )
        if account is None:
            return False
        config = dict(cast(dict[str, Any], account.config) or {})
        if config.get(KEY) == expires_at:
            return False
        config[KEY] = expires_at
        account.config = cast(Any, config)  # EncryptedJSONField holds a dict
        account.save(update_fields=["config"])
    owners = Member.objects.filter(workspace_id=workspace_id, role=Role.OWNER).select_related(
        "user"
    )
    recipients = sorted({m.user.email for m in owners if m.user.email})
    if not recipients:
        return False
    ends = datetime.fromtimestamp(expires_at, UTC)
    body = (
        f"LinkedIn's sign-in for the page {account.handle} ends on {ends:%-d %B %Y}, and "
        "LinkedIn gives this installation no way to renew it.\n\n"
        "Before then, open Settings › Accounts in Harken and connect the page again; "
        "otherwise Harken stops reading its comments and publishing to it on that day."
    )
    try:
        send_mail(
            f"Reconnect {account.handle} on LinkedIn before {ends:%-d %B}", body, None, recipients
        )
    except Exception:  # noqa: BLE001 - SMTP may be down; reading goes on
        log.exception("Could not e-mail the owners of workspace %s", workspace_id)
        return False
    return True
