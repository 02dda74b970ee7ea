"""Saved searches: a listening Source of kind "search" that polls a network's search.

Mastodon and Bluesky search only for a signed-in account, so a search there runs through
one of the workspace's connected accounts. Reddit and X search app-only with the
installation's keys, so they are offered only when those keys are set.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from harken.networks.models import Account
from harken.networks.registry import missing_keys, network_label

#: Networks whose search needs one of the workspace's accounts.
ACCOUNT_SEARCH = ("mastodon", "bluesky")
#: Networks whose search runs app-only on the installation's keys.
APP_SEARCH = ("reddit", "x")
#: X's recent search takes queries of at most 512 characters (API v2, non-enterprise);
#: the same bound keeps the others' queries sane.
MAX_QUERY = 512
#: How often a search may be read, in seconds, as offered on the form.
INTERVALS = [(300, "Every 5 minutes"), (900, "Every 15 minutes"), (3600, "Every hour")]
INTERVALS += [(21600, "Every 6 hours"), (86400, "Once a day")]


def search_accounts(workspace: Any) -> list[Account]:
    """The workspace's connected accounts that can run a search."""
    return list(
        Account.objects.filter(
            workspace=workspace, network__in=ACCOUNT_SEARCH, status=Account.Status.ACTIVE
        ).order_by("network", "handle")
    )


def searchable_networks(workspace: Any) -> list[tuple[str, str]]:
    """(network, label) for every network this workspace can search now."""
    connected = {account.network for account in search_accounts(workspace)}
    networks = [n for n in ACCOUNT_SEARCH if n in connected]
    networks += [n for n in APP_SEARCH if not missing_keys(n)]
    return [(network, network_label(network)) for network in networks]


def check_query(raw: str) -> str:
    query = " ".join((raw or "").split())
    if not query:
        raise ValidationError("Enter what to search for.")
    if len(query) > MAX_QUERY:
        raise ValidationError(
            f"A search may be at most {MAX_QUERY} characters; this one has {len(query)}."
        )
    return query


def check_search_account(workspace: Any, network: str, account_id: Any) -> Account | None:
    """The account a search on ``network`` runs through: required for Mastodon and
    Bluesky (and it must be this workspace's, of that network), none for app-only ones."""
    if network in APP_SEARCH:
        return None
    account = next((a for a in search_accounts(workspace) if str(a.pk) == str(account_id)), None)
    if account is None or account.network != network:
        raise ValidationError(
            f"Choose one of this workspace's connected {network_label(network)} accounts."
        )
    return account


def do_add_search(
    workspace: Any, actor: Any, network: str, query: str, account: Account | None, interval: int
) -> Any:
    """Create the search source (once per network, account and query) and audit it."""
    from harken.core.actions import audit
    from harken.listening.models import Source

    if network not in dict(searchable_networks(workspace)):
        raise ValidationError(f"{network_label(network)} cannot be searched here.")
    query = check_query(query)
    same = Source.objects.filter(
        workspace=workspace, kind=Source.Kind.SEARCH, network=network, account=account, query=query
    ).first()
    if same is not None:
        raise ValidationError(f"This workspace already runs that search as “{same.name}”.")
    source = Source.objects.create(
        workspace=workspace,
        name=f"{network_label(network)} search: {query}"[:200],
        kind=Source.Kind.SEARCH,
        network=network,
        account=account,
        query=query,
        poll_interval=interval,
    )
    audit(workspace, actor, "source.add_search", source, network=network, query=query)
    return source
