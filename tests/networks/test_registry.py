from __future__ import annotations

import pytest
from django.core import mail

from harken.core.models import AuditEntry
from harken.listening.models import Source
from harken.networks.base import ConnectorError
from harken.networks.feeds.connector import Feed
from harken.networks.models import Account
from harken.networks.registry import (
    CONNECTORS,
    available_networks,
    connector_class,
    connector_for,
    do_disconnect,
    do_mark_error,
    do_mark_synced,
    missing_keys,
)


@pytest.fixture
def account(workspace):
    return Account.objects.create(
        workspace=workspace,
        network="mastodon",
        handle="@harbor@mastodon.social",
        config={"access_token": "t"},
    )


def test_every_network_has_a_connector_path():
    assert {"feed", "mastodon", "bluesky", "reddit", "x"} <= set(CONNECTORS)
    assert connector_class("feed") is Feed
    # Every line of the registry names a connector that says it is that network.
    assert all(connector_class(network).network == network for network in CONNECTORS)


def test_an_unknown_network_is_named_in_the_error():
    with pytest.raises(KeyError, match="myspace"):
        connector_class("myspace")


def test_a_connector_for_an_account_gets_its_config_and_query(account):
    connector = connector_for(account, query="#jewelry")
    assert connector.network == "mastodon"
    assert connector.config == {"access_token": "t"} and connector.query == "#jewelry"


def test_networks_without_their_app_keys_are_hidden(monkeypatch):
    for name in (
        "HARKEN_REDDIT_CLIENT_ID",
        "HARKEN_REDDIT_CLIENT_SECRET",
        "HARKEN_X_BEARER_TOKEN",
        "HARKEN_X_CLIENT_ID",
    ):
        monkeypatch.delenv(name, raising=False)
    # The newsletter needs no installation keys: its lists bring their own SMTP server.
    assert available_networks() == ["feed", "mastodon", "bluesky", "newsletter"]
    monkeypatch.setenv("HARKEN_REDDIT_CLIENT_ID", "id")
    assert "reddit" not in available_networks()  # the secret is missing still
    monkeypatch.setenv("HARKEN_REDDIT_CLIENT_SECRET", "secret")
    monkeypatch.setenv("HARKEN_X_BEARER_TOKEN", "bearer")
    assert available_networks() == ["feed", "mastodon", "bluesky", "reddit", "x", "newsletter"]


def test_a_permanent_error_asks_for_a_reconnect_and_tells_the_owner_once(
    account, alice, bob, django_capture_on_commit_callbacks
):
    error = ConnectorError("The access token was revoked", permanent=True)
    with django_capture_on_commit_callbacks(execute=True):
        do_mark_error(account, error)
        do_mark_error(account, error)
    account.refresh_from_db()
    assert account.status == Account.Status.RECONNECT
    assert account.last_error == "The access token was revoked"
    (email,) = mail.outbox
    assert email.to == ["alice@example.com"]  # owners only, not Bob the responder
    assert (
        "The access token was revoked" in email.body and "@harbor@mastodon.social" in email.subject
    )
    assert (
        AuditEntry.objects.filter(
            action="account.reconnect_needed", workspace=account.workspace
        ).count()
        == 1
    )


def test_a_transient_error_keeps_the_account_connected(
    account, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        do_mark_error(account, ConnectorError("HTTP 503", retry_after=30))
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE and account.last_error == "HTTP 503"
    assert mail.outbox == []


def test_a_successful_sync_clears_the_error(account):
    do_mark_error(account, ConnectorError("gone", permanent=True))
    do_mark_synced(account)
    account.refresh_from_db()
    assert (
        account.status == Account.Status.ACTIVE and account.last_error == "" and account.last_synced
    )


def test_disconnecting_wipes_the_credentials_and_stops_its_sources(account, alice):
    source = Source.objects.create(
        workspace=account.workspace,
        name="Mentions",
        kind="account",
        network="mastodon",
        account=account,
    )
    do_disconnect(account, alice)
    account.refresh_from_db()
    source.refresh_from_db()
    assert account.config == {} and account.status == Account.Status.DISABLED
    assert not source.enabled
    assert AuditEntry.objects.filter(action="account.disconnect", actor=alice).exists()


def test_a_disconnected_account_is_not_flagged_or_alerted(
    account, alice, django_capture_on_commit_callbacks
):
    do_disconnect(account, alice)
    with django_capture_on_commit_callbacks(execute=True):
        do_mark_error(account, ConnectorError("no access token", permanent=True))
    account.refresh_from_db()
    assert account.status == Account.Status.DISABLED and mail.outbox == []


def test_x_is_offered_for_connecting_accounts_with_only_an_oauth_client_id(monkeypatch):
    monkeypatch.delenv("HARKEN_X_BEARER_TOKEN", raising=False)
    monkeypatch.setenv("HARKEN_X_CLIENT_ID", "client")
    assert "x" in available_networks()
    # Searching with no account still needs the app token.
    assert missing_keys("x") == ["HARKEN_X_BEARER_TOKEN"]
