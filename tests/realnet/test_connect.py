"""Connect, against Bluesky's own PDS: Settings › Accounts with an app password."""

from __future__ import annotations

from harken.listening.models import Source
from harken.networks.models import Account
from harken.networks.registry import connector_for
from tests.realnet.harken import connect_with_app_password, post_app_password


def test_alice_connects_her_account_with_an_app_password(realnet, alice_client, alice_on):
    account = connect_with_app_password(alice_client, realnet, alice_on)
    assert (account.handle, account.status) == (alice_on.handle, Account.Status.ACTIVE)
    config = account.config
    assert config["service"] == realnet.pds and config["did"] == alice_on.did
    assert config["session"]  # the PDS's tokens, kept so the next poll needs no login
    source = Source.objects.get(account=account)
    assert source.enabled and source.kind == Source.Kind.ACCOUNT
    # The saved session reads from the network with no second login.
    connector = connector_for(account)
    assert connector.metrics().followers == 0
    assert not connector.config_changed


def test_a_wrong_app_password_is_refused_in_blueskys_words(realnet, alice_client, alice_on):
    response = post_app_password(alice_client, realnet, alice_on.handle, "aaaa-bbbb-cccc-dddd")
    assert response.status_code == 400
    assert "Invalid identifier or password" in response.content.decode()
    assert not Account.objects.filter(network="bluesky").exists()
