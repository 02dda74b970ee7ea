"""Saved searches: a listening Source of kind "search" that polls a network's search,
added on Listening › Sources (with ``SearchForm``) and edited there (``sources``).

How a network searches is data on its connector (``search_mode``): "account" networks
(a Mastodon server, Bluesky) search only for a signed-in account, so a search there runs
through one of the workspace's connected accounts; "app" networks search app-only with
the installation's keys, so they are offered only when those keys are set. Each network
checks its own query rules (``Connector.check_search_query``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from harken.core.actions import audit
from harken.listening.models import Source
from harken.networks.base import ConnectorError
from harken.networks.models import Account
from harken.networks.registry import connector_class, missing_keys, network_label, search_networks

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
            workspace=workspace,
            network__in=search_networks("account"),
            status=Account.Status.ACTIVE,
        ).order_by("network", "handle")
    )


def searchable_networks(workspace: Any) -> list[tuple[str, str]]:
    """(network, label) for every network this workspace can search now."""
    connected = {account.network for account in search_accounts(workspace)}
    networks = [n for n in search_networks("account") if n in connected]
    networks += [n for n in search_networks("app") if not missing_keys(n)]
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


def check_search_query(network: str, raw: str) -> str:
    """The query tidied, or a ``ValidationError`` saying what ``network`` would refuse.

    Adding a search and editing one both go through here, so that a saved search never
    holds a query its network answers with an error at every poll."""
    query = check_query(raw)
    try:
        connector = connector_class(network)
    except KeyError:
        return query  # a network this installation does not know has no rules here
    try:
        connector.check_search_query(query)
    except ConnectorError as exc:
        raise ValidationError(exc.message) from None
    return query


def check_search_account(workspace: Any, network: str, account_id: Any) -> Account | None:
    """The account a search on ``network`` runs through: required where the network
    searches for an account (and it must be this workspace's, of that network), none
    for app-only ones."""
    if network in search_networks("app"):
        return None
    account = next((a for a in search_accounts(workspace) if str(a.pk) == str(account_id)), None)
    if account is None or account.network != network:
        raise ValidationError(
            f"Choose one of this workspace's connected {network_label(network)} accounts."
        )
    return account


def do_add_search(
    workspace: Any, actor: Any, network: str, query: str, account: Account | None, interval: int
) -> Source:
    """Create the search source (once per network, account and query) and audit it."""
    if network not in dict(searchable_networks(workspace)):
        raise ValidationError(f"{network_label(network)} cannot be searched here.")
    query = check_search_query(network, query)
    check_unique_search(workspace, network, account, query)
    source = Source.objects.create(
        workspace=workspace,
        name=search_name(network, query),
        kind=Source.Kind.SEARCH,
        network=network,
        account=account,
        query=query,
        poll_interval=interval,
    )
    audit(workspace, actor, "source.add_search", source, network=network, query=query)
    return source


def search_name(network: str, query: str) -> str:
    """The name a search gets: it follows the query, so the sources page says what it reads."""
    return f"{network_label(network)} search: {query}"[:200]


def check_unique_search(
    workspace: Any, network: str, account: Account | None, query: str, exclude: int | None = None
) -> None:
    """Refuse a second search for the same query through the same account (or keys)."""
    same = Source.objects.filter(
        workspace=workspace, kind=Source.Kind.SEARCH, network=network, account=account, query=query
    )
    found = (same.exclude(pk=exclude) if exclude is not None else same).first()
    if found is not None:
        raise ValidationError(f"This workspace already runs that search as “{found.name}”.")


class SearchForm(forms.Form):
    """Adding a search: the network, the account it runs through where the network
    needs one, the query and how often to read it."""

    network = forms.ChoiceField(label="Network")
    account = forms.ChoiceField(label="Through the account", required=False)
    query = forms.CharField(label="Search for", max_length=MAX_QUERY * 2)
    interval = forms.TypedChoiceField(label="How often", coerce=int, choices=INTERVALS, initial=900)

    def __init__(self, workspace: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.accounts = search_accounts(workspace)
        self.networks = searchable_networks(workspace)
        self.fields["network"].choices = self.networks  # type: ignore[attr-defined]
        self.fields["account"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (str(a.pk), f"{a.handle} ({a.network})") for a in self.accounts
        ]

    def clean_query(self) -> str:
        return check_query(self.cleaned_data["query"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        network = data.get("network")
        if network and "account" not in self.errors:
            try:
                data["account"] = check_search_account(self.workspace, network, data.get("account"))
            except forms.ValidationError as exc:
                self.add_error("account", exc)
        return data
