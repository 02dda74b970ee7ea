"""What listening does when networks connects or disconnects an account.

Networks sends ``account_connected`` / ``account_disconnected`` (``networks.signals``)
and knows nothing of sources; ``ListeningConfig.ready`` connects these receivers. They
run inside the sender's transaction, so the account and its sources change together.
"""

from __future__ import annotations

from typing import Any

from harken.listening.models import Source
from harken.networks.models import Account
from harken.networks.registry import connector_class


def start_mentions_source(sender: Any, account: Account, **kwargs: Any) -> None:
    """Read the account's mentions: a new source for a new account, and the old one
    enabled again for an account connected anew (disconnecting stopped it).

    A network whose API lets Harken read nothing (a connector without "fetch": TikTok's,
    Pinterest's) gets no source: it would be polled forever for nothing and listed as
    listening. One made before this rule is stopped when the account connects again."""
    if "fetch" not in connector_class(account.network).capabilities:
        Source.objects.filter(account=account, kind=Source.Kind.ACCOUNT).update(enabled=False)
        return
    source, created = Source.objects.get_or_create(
        workspace_id=account.workspace_id,
        kind=Source.Kind.ACCOUNT,
        network=account.network,
        account=account,
        defaults={"name": f"{account.handle} mentions"[:200]},
    )
    if not created and not source.enabled:
        source.enabled = True
        source.save(update_fields=["enabled"])


def poll_account_soon(sender: Any, account: Account, **kwargs: Any) -> None:
    """The network announced news on the account (a webhook): its enabled sources are due
    now, so the next scheduler tick reads them instead of waiting for their interval. A
    source backing off after failures keeps its wait (a rate limit must not be hurried);
    one being read now may be read twice, which the dedupe key makes harmless."""
    from django.utils import timezone

    now = timezone.now()
    Source.objects.filter(account=account, enabled=True, failures=0, next_poll__gt=now).update(
        next_poll=now
    )


def stop_account_sources(sender: Any, account: Account, **kwargs: Any) -> None:
    """Everything read through a disconnected account would only fail: stop polling it.
    Its mentions stay."""
    Source.objects.filter(account=account).update(enabled=False)
