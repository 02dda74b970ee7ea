"""Which connector serves which network, which networks this installation offers, and
what happens to an account when its network refuses it for good.

Connectors are named by dotted path and imported on first use. What a network needs and
offers (its label, installation keys, connect flows, search mode) is data on its connector
class. A network that needs application keys is offered only when the administrator set
them: it is hidden, not broken.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from django.core.mail import send_mail
from django.db import transaction
from django.utils.module_loading import import_string

from harken.lib.env import env_secret
from harken.networks.base import ConnectFlow, Connector, ConnectorError

if TYPE_CHECKING:
    from harken.networks.models import Account

log = logging.getLogger(__name__)

#: Every network: its key (``Account.network``) → its connector. Adding a network is its
#: package under ``harken/networks/`` plus one line here (docs/adding-a-network.md).
CONNECTORS: dict[str, str] = {
    "feed": "harken.networks.feeds.connector.Feed",
    "mastodon": "harken.networks.mastodon.connector.Mastodon",
    "bluesky": "harken.networks.bluesky.connector.Bluesky",
    "reddit": "harken.networks.reddit.connector.Reddit",
    "x": "harken.networks.x.connector.X",
    "facebook": "harken.networks.facebook.connector.Facebook",
    "instagram": "harken.networks.instagram.connector.Instagram",
    "youtube": "harken.networks.youtube.connector.YouTube",
    "linkedin": "harken.networks.linkedin.connector.LinkedIn",
    "threads": "harken.networks.threads.connector.Threads",
    "tumblr": "harken.networks.tumblr.connector.Tumblr",
    "google_business": "harken.networks.google_business.connector.GoogleBusiness",
    "tiktok": "harken.networks.tiktok.connector.TikTok",
    "pinterest": "harken.networks.pinterest.connector.Pinterest",
    "newsletter": "harken.networks.newsletter.connector.Newsletter",
}


@cache
def connector_class(network: str) -> type[Connector]:
    """The Connector subclass for ``network``; ``KeyError`` names an unknown network."""
    try:
        path = CONNECTORS[network]
    except KeyError:
        raise KeyError(f"No connector for the network {network!r}.") from None
    return import_string(path)


def package_of(network: str) -> str:
    """The dotted name of ``network``'s package (``harken.networks.feeds`` for "feed")."""
    return CONNECTORS[network].rsplit(".", 2)[0]


def connector_for(
    account: Account | None = None,
    *,
    network: str | None = None,
    config: dict[str, Any] | None = None,
    query: str | None = None,
    workspace: Any = None,
) -> Connector:
    """A connector for ``account`` (its network and decrypted config), or for ``network``
    with ``config`` when there is no account (a feed, a public search). ``workspace`` is
    whose budget the calls count against; an account brings its own."""
    if account is not None:
        network = account.network
        config = dict(cast(dict[str, Any], account.config) or {})
        workspace = account.workspace_id
    if not network:
        raise ValueError("connector_for needs an account or a network.")
    return connector_class(network)(config, query=query, workspace=workspace)


def missing_keys(network: str) -> list[str]:
    """The application keys ``network`` needs that are not set, read at call time."""
    return [name for name in connector_class(network).app_keys if not env_secret(name)]


def available_networks() -> list[str]:
    """The networks this installation can offer now, in display order."""
    return [network for network in CONNECTORS if not missing_keys(network) or _can_connect(network)]


def _can_connect(network: str) -> bool:
    keys = connector_class(network).connect_keys
    return bool(keys) and all(env_secret(name) for name in keys)


def network_label(network: str) -> str:
    """The network's name for people; an unknown key (an imported row's) as it is."""
    try:
        return connector_class(network).label or network
    except KeyError:
        return network


def connect_flow(network: str, name: str) -> ConnectFlow | None:
    """The ``name`` flow ("oauth", "token"...) of ``network`` when this installation offers
    it now, else None."""
    if network not in CONNECTORS or network not in available_networks():
        return None
    path = connector_class(network).connect_flows.get(name)
    flow = _flow(path) if path else None
    return flow if flow is not None and flow.available() else None


@cache
def _flow(path: str) -> ConnectFlow:
    return cast(ConnectFlow, import_string(path)())


def connect_flows(network: str) -> dict[str, ConnectFlow]:
    """Every flow ``network`` offers on this installation now, by name."""
    names = connector_class(network).connect_flows
    flows = {name: connect_flow(network, name) for name in names}
    return {name: flow for name, flow in flows.items() if flow is not None}


def search_networks(mode: str) -> list[str]:
    """The networks whose search runs in ``mode`` ("account" or "app")."""
    return [n for n in CONNECTORS if connector_class(n).search_mode == mode]


# --- account health ------------------------------------------------------------------


def do_mark_error(account: Account, error: ConnectorError) -> None:
    """Record a network's refusal on ``account``.

    A permanent error (revoked or expired token, suspended account) needs a person: the
    account goes to "reconnect needed", keeps the network's own words, is audited, and
    its owners get an email the first time. A transient one only updates ``last_error``:
    the caller backs off and tries again.
    """
    from harken.networks.models import Account

    if account.status == Account.Status.DISABLED:
        return  # disconnected on purpose: nothing to reconnect, nobody to alert
    account.last_error = error.message[:2000]
    if not error.permanent:
        account.save(update_fields=["last_error"])
        return
    newly_broken = account.status != Account.Status.RECONNECT
    account.status = Account.Status.RECONNECT
    account.save(update_fields=["status", "last_error"])
    if newly_broken:
        _audit_reconnect(account, error)
        transaction.on_commit(lambda: alert_owners(account, error))


def do_mark_synced(account: Account) -> None:
    """A successful call: the account is connected again and its last error cleared."""
    from django.utils import timezone

    from harken.networks.models import Account

    account.status = Account.Status.ACTIVE
    account.last_error = ""
    account.last_synced = timezone.now()
    account.save(update_fields=["status", "last_error", "last_synced"])


def _audit_reconnect(account: Account, error: ConnectorError) -> None:
    from harken.core.actions import audit

    audit(
        account.workspace,
        None,
        "account.reconnect_needed",
        account,
        network=account.network,
        error=error.message,
    )


def alert_owners(account: Account, error: ConnectorError) -> int:
    """Email the workspace's owners that ``account`` must be reconnected; returns how many
    were written to. A mail failure is logged, never raised into the sync that found it."""
    from harken.core.models import Member, Role

    owners = Member.objects.filter(
        workspace_id=account.workspace_id, role=Role.OWNER
    ).select_related("user")
    recipients = sorted({m.user.email for m in owners if m.user.email})
    if not recipients:
        return 0
    subject = f"Reconnect {account.handle} on {network_label(account.network)}"
    body = (
        f"Harken can no longer use {account.handle} on {network_label(account.network)}.\n\n"
        f"The network said: {error.message}\n\n"
        "Open Settings → Accounts in Harken and connect it again; until then nothing is read "
        "from or published to it."
    )
    try:
        send_mail(subject, body, None, recipients)
    except Exception:  # noqa: BLE001 - SMTP may be down; the account state is already saved
        log.exception("Could not email the owners of workspace %s", account.workspace_id)
        return 0
    return len(recipients)


def do_disconnect(account: Account, actor: Any) -> None:
    """Stop using ``account``: its credentials are wiped (not only hidden) and it is
    disabled; its mentions stay. Connecting it again creates a fresh token."""
    from harken.core.actions import audit
    from harken.networks.models import Account
    from harken.networks.signals import account_disconnected

    with transaction.atomic():
        account.config = {}  # type: ignore[assignment]  # EncryptedJSONField holds a dict
        account.status = Account.Status.DISABLED
        account.last_error = ""
        account.save(update_fields=["config", "status", "last_error"])
        # What reads through it would only fail from now on: listening stops its sources.
        account_disconnected.send(sender=Account, account=account)
        audit(account.workspace, actor, "account.disconnect", account, network=account.network)
