"""What every connect flow ends with: the account saved (created, or reconnected with
fresh credentials), ``account_connected`` sent (listening starts reading its mentions),
and the audit entry.

Connect flows ask the network first and call this after, so a refused credential saves
nothing and no transaction is held across a network call.
"""

from __future__ import annotations

from typing import Any, cast

from django.db import transaction

from harken.networks.models import Account
from harken.networks.signals import account_connected


@transaction.atomic
def save_connected(
    workspace: Any, actor: Any, network: str, external_id: str, handle: str, config: dict
) -> Account:
    """Create or reconnect the workspace's account on ``network``, found by the network's
    id for it (a handle can change) or, for one saved without an id, by its handle."""
    from harken.core.actions import audit

    same = Account.objects.filter(workspace=workspace, network=network)
    before = same.filter(external_id=external_id).first() or same.filter(handle=handle).first()
    account = before or Account(workspace=workspace, network=network)
    account.external_id = external_id
    account.handle = handle
    account.config = cast(Any, config)  # EncryptedJSONField holds a dict
    account.status = Account.Status.ACTIVE
    account.last_error = ""
    account.save()
    # In this transaction: a receiver that fails undoes the connect, never half of it.
    account_connected.send(sender=Account, account=account, created=before is None)
    action = "account.connect" if before is None else "account.reconnect"
    audit(workspace, actor, action, account, network=network)
    return account
